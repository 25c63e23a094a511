import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elfArch } from '../../release/elf-arch.ts';

/** An ELF header's first 20 bytes: magic, class, data (endianness), then e_machine at byte 18. */
function header(options: { elfClass?: number; data?: number; machine: number }): Buffer {
  const bytes = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46]).copy(bytes);
  bytes[4] = options.elfClass ?? 2;
  bytes[5] = options.data ?? 1;
  bytes.writeUInt16LE(options.machine, 18);
  return bytes;
}

describe('elfArch', () => {
  it('names the two machines Lambda runs, as process.arch does', () => {
    expect(elfArch(header({ machine: 62 }))).toBe('x64');
    expect(elfArch(header({ machine: 183 }))).toBe('arm64');
  });

  it('says what anything else is instead', () => {
    expect(elfArch(header({ machine: 40 }))).toBe('ELF machine 40');
    expect(elfArch(header({ machine: 62, elfClass: 1 }))).toBe('ELF 32-bit');
    expect(elfArch(header({ machine: 62, data: 2 }))).toBe('big-endian ELF');
    expect(elfArch(Buffer.from('#!/bin/sh\necho hi\n'))).toBe('not an ELF file');
    expect(elfArch(header({ machine: 62 }).subarray(0, 19))).toBe('not an ELF file');
  });

  it('never throws, and answers x64 or arm64 only for a 64-bit little-endian ELF of that machine, for any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, elf) => {
      const data = Buffer.from(bytes);
      if (elf && data.length >= 4) Buffer.from([0x7f, 0x45, 0x4c, 0x46]).copy(data);
      const arch = elfArch(data);
      if (arch === 'x64' || arch === 'arm64') {
        expect([data[4], data[5], data.readUInt16LE(18)]).toEqual([2, 1, arch === 'x64' ? 62 : 183]);
      }
    }));
  });
});
