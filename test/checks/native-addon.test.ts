// The layer's native addon, glibc's malloc_trim(0) as a Node-API module (extension/memory/malloc-trim.c),
// as build.sh built it into dist/layer/lambda-after-response/malloc-trim-<process.arch>.node:
// - each file is ELF 64-bit for the machine its name says (readelf's header);
// - it asks glibc for no symbol version newer than GLIBC_2.34: the nodejs22.x and nodejs24.x runtimes
//   run on Amazon Linux 2023 (AWS Lambda developer guide, "Lambda runtimes",
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), whose glibc is 2.34 (Amazon
//   Linux 2023 user guide, "Core toolchain packages glibc, gcc, binutils",
//   https://docs.aws.amazon.com/linux/al2023/ug/core-glibc.html); a newer version would fail dlopen there;
// - the x64 one loads with process.dlopen in the provisioned Node 22 and 24, and exports `mallocTrim` alone,
//   which answers a boolean; the arm64 one likewise in Node 24 for arm64 under qemu-user (Debian's arm64
//   glibc beside it, not Amazon Linux's: the symbol versions above are what holds for 2.34).
// Each check also meets a file that must fail it: the arm64 addon under the x64 name, and a test-only
// shared object calling pidfd_open (GLIBC_2.36), built here with gcc.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { arm64Tools, profileTools } from '../rig/tools.ts';

const layerDir = join(import.meta.dirname, '..', '..', 'dist', 'layer', 'lambda-after-response');
const addon = (arch: string): string => join(layerDir, `malloc-trim-${arch}.node`);
/** readelf's `Machine:` line for each `process.arch` the layer carries an addon for. */
const MACHINES = { x64: 'Advanced Micro Devices X86-64', arm64: 'AArch64' } as const;
const NEWEST_GLIBC = '2.34';
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function readelf(args: string[], file: string): string {
  return execFileSync('readelf', [...args, '-W', file], { encoding: 'utf8' });
}

/** What the ELF header says the file is, against what its `process.arch` name says: empty when they agree. */
function headerProblems(file: string, arch: keyof typeof MACHINES): string[] {
  const header = readelf(['-h'], file);
  const field = (name: string): string => new RegExp(`^\\s*${name}:\\s*(.+?)\\s*$`, 'm').exec(header)?.[1] ?? '(none)';
  const problems: string[] = [];
  if (field('Class') !== 'ELF64') problems.push(`class ${field('Class')}, expected ELF64`);
  if (field('Type') !== 'DYN (Shared object file)') problems.push(`type ${field('Type')}, expected a shared object`);
  if (field('Machine') !== MACHINES[arch]) problems.push(`machine ${field('Machine')}, expected ${MACHINES[arch]}`);
  return problems;
}

/** Each undefined dynamic symbol bound to a glibc version, as `name@GLIBC_x.y`. */
function glibcSymbols(file: string): string[] {
  return [...readelf(['--dyn-syms'], file).matchAll(/\sUND\s+(\S+@GLIBC_[\d.]+)/g)].map((m) => m[1] ?? '');
}

/** The symbols of `glibcSymbols` whose version is newer than `newest` (numeric, part by part). */
function newerThan(symbols: readonly string[], newest: string): string[] {
  const parts = (version: string): number[] => version.split('.').map(Number);
  const later = (version: string): boolean => {
    const [a, b] = [parts(version), parts(newest)];
    const at = a.findIndex((n, i) => n !== (b[i] ?? 0));
    return at !== -1 && (a[at] ?? 0) > (b[at] ?? 0);
  };
  return symbols.filter((s) => later(s.split('@GLIBC_')[1] ?? ''));
}

describe.each(['x64', 'arm64'] as const)('malloc-trim-%s.node', (arch) => {
  test(`is an ELF 64-bit shared object for ${MACHINES[arch]}`, () => {
    expect(headerProblems(addon(arch), arch)).toEqual([]);
  });

  test(`needs glibc ${NEWEST_GLIBC} at most (Amazon Linux 2023's), malloc_trim among its symbols`, () => {
    const symbols = glibcSymbols(addon(arch));
    expect(symbols.map((s) => s.split('@')[0])).toContain('malloc_trim');
    expect(newerThan(symbols, NEWEST_GLIBC)).toEqual([]);
  });
});

describe('the checks refuse what they must', () => {
  test('the arm64 addon under the x64 name: the wrong machine', () => {
    expect(headerProblems(addon('arm64'), 'x64')).toEqual([`machine AArch64, expected ${MACHINES.x64}`]);
  });

  test('a shared object calling pidfd_open: a GLIBC_2.36 symbol (built here, this machine has glibc 2.36 or later)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lar-glibc-probe-'));
    temps.push(dir);
    writeFileSync(join(dir, 'probe.c'), '#include <sys/pidfd.h>\nint probe(void) { return pidfd_open(0, 0); }\n');
    execFileSync('gcc', ['-O2', '-fPIC', '-shared', '-o', join(dir, 'probe.so'), join(dir, 'probe.c')]);
    expect(newerThan(glibcSymbols(join(dir, 'probe.so')), NEWEST_GLIBC)).toEqual(['pidfd_open@GLIBC_2.36']);
    expect(newerThan(['a@GLIBC_2.34', 'b@GLIBC_2.4', 'c@GLIBC_2.2.5', 'd@GLIBC_2.34.1', 'e@GLIBC_3.0'], NEWEST_GLIBC)).toEqual(['d@GLIBC_2.34.1', 'e@GLIBC_3.0']);
  });
});

/** Loads `file` with process.dlopen in the node that `command` starts, calls mallocTrim twice: what it found. */
function loadIn(command: readonly string[], file: string): Record<string, unknown> {
  const probe = `const m = { exports: {} }; process.dlopen(m, process.argv[1]);
const first = m.exports.mallocTrim(); const second = m.exports.mallocTrim();
process.stdout.write(JSON.stringify({ arch: process.arch, version: process.version, exports: Object.keys(m.exports), answers: [typeof first, typeof second] }));`;
  const [program = '', ...args] = command;
  return JSON.parse(execFileSync(program, [...args, '-e', probe, file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })) as Record<string, unknown>;
}

describe.each(['nodejs22.x', 'nodejs24.x'] as const)('malloc-trim-x64.node in the node of %s', (profile) => {
  test('loads with process.dlopen, exports mallocTrim alone, and mallocTrim() answers a boolean', () => {
    const out = loadIn([join(profileTools(profile).nodeDir, 'bin', 'node')], addon('x64'));
    expect(out).toEqual({ arch: 'x64', version: expect.stringMatching(profile === 'nodejs22.x' ? /^v22\./ : /^v24\./) as unknown, exports: ['mallocTrim'], answers: ['boolean', 'boolean'] });
  });
});

test('malloc-trim-arm64.node loads in Node 24 for arm64 (under qemu-user), exports mallocTrim alone, and mallocTrim() answers a boolean', () => {
  const { qemu, sysroot, node } = arm64Tools();
  const out = loadIn([qemu, '-L', sysroot, node], addon('arm64'));
  expect(out).toEqual({ arch: 'arm64', version: expect.stringMatching(/^v24\./) as unknown, exports: ['mallocTrim'], answers: ['boolean', 'boolean'] });
});
