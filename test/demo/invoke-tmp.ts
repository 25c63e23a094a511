// The function's /tmp under `npm run invoke`: private to the sandbox (a dir in the rig's run dir,
// mounted as /tmp in the sandbox's mount namespace) and removed with it. What the function left
// there is named at the end, and copied out on request (`--keep-tmp DIR`).
import { cpSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const SHOWN = 10; // entries named; the rest counted
// The layer's own socket (extension/socket/start-socket.ts): not the function's, and not copyable.
const LAYER_SOCKET = /^after-response-\d+\.sock$/;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Whether a path can be copied as a file or directory (sockets and FIFOs cannot). */
function copyable(path: string): boolean {
  try {
    const stat = lstatSync(path);
    return stat.isFile() || stat.isDirectory() || stat.isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Lines naming what the function left in its /tmp (`tmpDir` on this machine), after copying it
 * into `keepTmp` when given; no line when it left nothing and no copy was asked for. Never throws.
 */
export function describeFunctionTmp(tmpDir: string, keepTmp: string | undefined): string[] {
  let entries: string[];
  try {
    entries = readdirSync(tmpDir).filter((name) => !LAYER_SOCKET.test(name)).sort();
  } catch (error) {
    return [`the function's /tmp (${tmpDir}) could not be read: ${message(error)}`];
  }
  if (entries.length === 0) return keepTmp === undefined ? [] : [`the function left nothing in its /tmp: nothing copied to ${keepTmp}`];
  const more = entries.length > SHOWN ? `, … (${entries.length - SHOWN} more)` : '';
  const left = `the function left ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} in its /tmp (${entries.slice(0, SHOWN).join(', ')}${more})`;
  if (keepTmp === undefined) return [`${left}: that /tmp is private to the sandbox, not this machine's /tmp, and is removed with it; --keep-tmp DIR keeps a copy`];
  try {
    for (const name of entries) {
      cpSync(join(tmpDir, name), join(keepTmp, name), { recursive: true, filter: copyable });
    }
    return [`${left}: copied to ${keepTmp}`];
  } catch (error) {
    return [`${left}: copying it to ${keepTmp} failed: ${message(error)}`];
  }
}
