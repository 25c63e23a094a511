/** SHA-256 of a release file: hex for people and `sha256sum -c`, base64 as Lambda reports it (`CodeSha256`). */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A line of a SHA256SUMS file, as `sha256sum` writes it: `<hex>  <file name>` (the name without its directory). */
export function sha256sumLine(data: Buffer, path: string): string {
  return `${sha256Hex(data)}  ${basename(path)}`;
}
