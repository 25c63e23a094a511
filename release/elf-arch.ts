/**
 * What an ELF file is built for, read from its header (the System V ABI's ELF header: the magic
 * `\x7fELF`, `e_ident[EI_CLASS]` at byte 4, 2 for 64-bit; `e_ident[EI_DATA]` at byte 5, 1 for
 * little-endian; `e_machine` at byte 18, EM_X86_64 = 62, EM_AARCH64 = 183).
 */

/** What {@link elfArch} says of bytes that do not start with the ELF magic. */
export const NOT_ELF = 'not an ELF file';

const MACHINES: ReadonlyMap<number, string> = new Map([
  [62, 'x64'],
  [183, 'arm64'],
]);

/**
 * The `process.arch` name of a 64-bit little-endian ELF file's machine: `'x64'` (x86-64) or
 * `'arm64'` (AArch64), the two Lambda runs; for anything else a description that says what it is
 * instead (`'not an ELF file'`, `'ELF 32-bit'`, `'big-endian ELF'`, `'ELF machine 40'`).
 */
export function elfArch(data: Buffer): string {
  if (data.length < 20 || !data.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return NOT_ELF;
  if (data[4] !== 2) return 'ELF 32-bit';
  if (data[5] !== 1) return 'big-endian ELF';
  const machine = data.readUInt16LE(18);
  return MACHINES.get(machine) ?? `ELF machine ${String(machine)}`;
}
