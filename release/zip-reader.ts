/**
 * Reads a zip archive in memory: its entries from the central directory, each with its Unix mode,
 * its DOS timestamp and its content (CRC-checked). Enough for the release checks of the layer zip
 * that build.sh writes (stored or deflated entries); zip64, encryption and other methods are
 * refused by name rather than misread.
 */
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  /** Unix mode from the external attributes, e.g. 0o100755; 0 when the zip was made without one. */
  readonly mode: number;
  /** The entry's DOS timestamp as written, `YYYY-MM-DD hh:mm:ss` (local time, 2 s resolution). */
  readonly modified: string;
  readonly data: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The entries of a zip archive, in central-directory order.
 * @throws Error naming the problem when `zip` is not a zip this reader handles (no end record,
 *   a bad signature, zip64, encryption, a compression method other than stored or deflate, a CRC mismatch)
 */
export function readZip(zip: Buffer): ZipEntry[] {
  const end = findEndRecord(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw new Error('zip64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL) throw new Error(`zip central directory entry ${i} has a bad signature (offset ${at})`);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({
      name,
      mode: zip.readUInt32LE(at + 38) >>> 16,
      modified: dosTimestamp(zip.readUInt16LE(at + 14), zip.readUInt16LE(at + 12)),
      data: entryData(zip, at, name),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

function findEndRecord(zip: Buffer): number {
  // The end record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === EOCD) return at;
  }
  throw new Error(`not a zip archive (no end of central directory record in ${zip.length} bytes)`);
}

function entryData(zip: Buffer, central: number, name: string): Buffer {
  const flags = zip.readUInt16LE(central + 8);
  const method = zip.readUInt16LE(central + 10);
  const compressedSize = zip.readUInt32LE(central + 20);
  const local = zip.readUInt32LE(central + 42);
  if (flags & 1) throw new Error(`zip entry ${name} is encrypted`);
  if (zip.readUInt32LE(local) !== LOCAL) throw new Error(`zip entry ${name}: bad local header signature (offset ${local})`);
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const raw = zip.subarray(start, start + compressedSize);
  if (method !== 0 && method !== 8) throw new Error(`zip entry ${name} uses compression method ${method} (only 0, stored, and 8, deflate, are read)`);
  const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
  const expected = zip.readUInt32LE(central + 16);
  if (crc32(data) !== expected) throw new Error(`zip entry ${name}: CRC-32 ${crc32(data).toString(16)} does not match the recorded ${expected.toString(16)}`);
  return data;
}

function dosTimestamp(date: number, time: number): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const day = `${(date >> 9) + 1980}-${pad((date >> 5) & 15)}-${pad(date & 31)}`;
  return `${day} ${pad(time >> 11)}:${pad((time >> 5) & 63)}:${pad((time & 31) * 2)}`;
}
