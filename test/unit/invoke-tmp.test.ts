// The function's private /tmp under `npm run invoke`: what it left is named (the layer's socket
// left out), copied with --keep-tmp (sockets skipped), and an unreadable dir reported, not thrown.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFunctionTmp } from '../demo/invoke-tmp.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lar-invoke-tmp-'));
const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
  rmSync(scratch, { recursive: true, force: true });
});

function sandboxTmp(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

async function listenOn(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

describe('describeFunctionTmp', () => {
  it('nothing left: no line, unless a copy was asked for', () => {
    const dir = sandboxTmp('empty', {});
    expect(describeFunctionTmp(dir, undefined)).toEqual([]);
    expect(describeFunctionTmp(dir, join(scratch, 'keep-empty'))).toEqual([`the function left nothing in its /tmp: nothing copied to ${join(scratch, 'keep-empty')}`]);
  });

  it('names what the function left, says the /tmp is private and how to keep it; the layer\'s socket is not the function\'s', async () => {
    const dir = sandboxTmp('left', { 'report.json': '{}', 'cache/a.bin': 'a' });
    await listenOn(join(dir, 'after-response-42.sock'));
    expect(describeFunctionTmp(dir, undefined)).toEqual([
      "the function left 2 entries in its /tmp (cache, report.json): that /tmp is private to the sandbox, not this machine's /tmp, and is removed with it; --keep-tmp DIR keeps a copy",
    ]);
  });

  it('--keep-tmp copies files and dirs into DIR (made if new), skipping sockets', async () => {
    const dir = sandboxTmp('kept', { 'report.json': '{"rows":3}', 'cache/a.bin': 'a' });
    await listenOn(join(dir, 'app.sock'));
    const keep = join(scratch, 'keep-new');
    expect(describeFunctionTmp(dir, keep)).toEqual([`the function left 3 entries in its /tmp (app.sock, cache, report.json): copied to ${keep}`]);
    expect(readFileSync(join(keep, 'report.json'), 'utf8')).toBe('{"rows":3}');
    expect(readFileSync(join(keep, 'cache', 'a.bin'), 'utf8')).toBe('a');
    expect(existsSync(join(keep, 'app.sock'))).toBe(false);
  });

  it('names more than ten entries by count; an unreadable /tmp is reported, not thrown', () => {
    const many = sandboxTmp('many', Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${String(i).padStart(2, '0')}`, ''])));
    expect(describeFunctionTmp(many, undefined)[0]).toMatch(/^the function left 12 entries in its \/tmp \(f00, .*, f09, … \(2 more\)\)/);
    expect(describeFunctionTmp(join(scratch, 'gone'), undefined)[0]).toMatch(/^the function's \/tmp \(.*gone\) could not be read: ENOENT/);
  });
});
