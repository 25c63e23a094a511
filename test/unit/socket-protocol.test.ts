import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../shared/describe-error.ts';
import { encodeFinish, plainMessage } from '../../shared/socket-finish.ts';
import { deadlineAbortReason } from '../../shared/deadline-abort.ts';
import { LineSplitter, MAX_LINE_BYTES } from '../../shared/socket-wire.ts';
import { parseRequest, replies } from '../../shared/socket-messages.ts';

describe('parseRequest', () => {
  it('reads an open with its name and an optional ticket', () => {
    expect(parseRequest('{"v":1,"op":"open","name":"ffmpeg"}')).toEqual({ request: { op: 'open', name: 'ffmpeg' } });
    expect(parseRequest('{"v":1,"op":"open","name":"n","ticket":"t"}')).toEqual({ request: { op: 'open', name: 'n', ticket: 't' } });
  });

  it('reads a finish that succeeded or failed with a message', () => {
    expect(parseRequest('{"v":1,"op":"finish","id":"j1","ok":true}')).toEqual({ request: { op: 'finish', id: 'j1', outcome: { ok: true } } });
    expect(parseRequest('{"v":1,"op":"finish","id":"j1","ok":false,"message":"boom"}')).toEqual({ request: { op: 'finish', id: 'j1', outcome: { ok: false, message: 'boom' } } });
  });

  it('reads the optional described error of a failed finish, and ignores one of another shape', () => {
    const error = { errorType: 'TypeError', errorMessage: 'x is not a function', stackTrace: ['at job (/var/task/w.js:1:1)'] };
    const line = (extra: unknown) => JSON.stringify({ v: 1, op: 'finish', id: 'j1', ok: false, message: 'TypeError: x', error: extra });
    expect(parseRequest(line(error))).toEqual({ request: { op: 'finish', id: 'j1', outcome: { ok: false, message: 'TypeError: x', error } } });
    for (const odd of [null, 'boom', [error], { ...error, errorType: '' }, { ...error, errorMessage: 7 }, { ...error, stackTrace: 'at x' }, { ...error, stackTrace: [1] }]) {
      expect(parseRequest(line(odd))).toEqual({ request: { op: 'finish', id: 'j1', outcome: { ok: false, message: 'TypeError: x' } } });
    }
    const huge = { errorType: 'T'.repeat(1000), errorMessage: 'm'.repeat(10_000), stackTrace: Array.from({ length: 80 }, () => 'f'.repeat(900)) };
    const cut = parseRequest(line(huge));
    expect(cut).toMatchObject({ request: { outcome: { error: { errorType: 'T'.repeat(256), errorMessage: 'm'.repeat(4096) } } } });
    expect('request' in cut && cut.request.op === 'finish' && !cut.request.outcome.ok ? cut.request.outcome.error?.stackTrace : []).toEqual(Array.from({ length: 50 }, () => 'f'.repeat(500)));
  });

  it('encodes every failure a user can throw as one finish line within the line bound, which parses back', () => {
    fc.assert(fc.property(fc.anything(), fc.string({ unit: 'binary' }), (thrown, noise) => {
      const error = describeError(thrown);
      const padded = { ...error, errorMessage: noise.repeat(50), stackTrace: Array.from({ length: 60 }, () => `\u0001${noise}`.repeat(40)) };
      for (const described of [error, padded]) {
        const line = encodeFinish('j1', { ok: false, message: plainMessage(described), error: described });
        expect(Buffer.byteLength(line) - 1).toBeLessThanOrEqual(MAX_LINE_BYTES);
        expect(parseRequest(line.trimEnd())).toMatchObject({ request: { op: 'finish', id: 'j1', outcome: { ok: false } } });
      }
    }), { numRuns: 200 });
  });

  it('truncates long names and messages instead of losing the request', () => {
    const parsed = parseRequest(JSON.stringify({ v: 1, op: 'finish', id: 'j1', ok: false, message: 'm'.repeat(10_000) }));
    expect(parsed).toMatchObject({ request: { outcome: { message: 'm'.repeat(4096) } } });
    expect(parseRequest(JSON.stringify({ v: 1, op: 'open', name: 'n'.repeat(1000) }))).toMatchObject({ request: { name: 'n'.repeat(256) } });
  });

  it('names the field and the bad value in every error', () => {
    expect(parseRequest('{"v":"1","op":"open","name":"x"}')).toEqual({ error: 'bad-version', message: 'Expected `v` to be 1, got `"1"` (string)' });
    expect(parseRequest('{"v":1,"op":"open","name":7}')).toEqual({ error: 'bad-request', message: 'Expected `name` to be a non-empty string, got `7` (number)' });
    expect(parseRequest('{"v":1,"op":"open","name":"x","ticket":[]}')).toMatchObject({ error: 'bad-request', message: expect.stringContaining('`ticket`') });
    expect(parseRequest('{"v":1,"op":"finish","ok":true}')).toEqual({ error: 'bad-request', message: 'Expected `id` to be a job id from `open`, got nothing' });
    expect(parseRequest('{"v":1,"op":"kill"}')).toEqual({ error: 'unknown-op', message: 'Expected `op` to be "open" or "finish", got `"kill"` (string)' });
    expect(parseRequest('nope')).toMatchObject({ error: 'bad-json' });
    expect(parseRequest('null')).toMatchObject({ error: 'bad-request', message: expect.stringContaining('got `null` (null)') });
  });

  it('ignores fields inherited through __proto__', () => {
    expect(parseRequest('{"__proto__":{"v":1,"op":"open","name":"p"}}')).toMatchObject({ error: 'bad-version' });
  });
});

describe('replies', () => {
  it('are single JSON lines carrying the protocol version', () => {
    expect(replies.opened('j1', 'r1', 1700000000000)).toBe('{"v":1,"ok":true,"id":"j1","requestId":"r1","deadlineMs":1700000000000}\n');
    expect(replies.opened('j1', undefined, undefined)).toBe('{"v":1,"ok":true,"id":"j1"}\n');
    expect(replies.abort('j1', 250)).toBe('{"v":1,"event":"abort","id":"j1","reason":"deadline","graceMs":250}\n');
    expect(replies.error('unknown-op', 'say "why"\nhere')).toBe('{"v":1,"ok":false,"error":"unknown-op","message":"say \\"why\\"\\nhere"}\n');
  });
});

describe('LineSplitter', () => {
  it('reassembles lines split across chunks, multi-byte characters included', () => {
    const splitter = new LineSplitter(100);
    const bytes = Buffer.from('{"a":"é😀"}\r\n\n{"b":1}\n{"c"');
    const results = [...bytes].map((byte) => splitter.push(Buffer.from([byte])));
    expect(results.flatMap((result) => result.lines)).toEqual(['{"a":"é😀"}', '{"b":1}']);
    expect(splitter.push(Buffer.from(':2}\n')).lines).toEqual(['{"c":2}']);
  });

  it('reports an overflow once an unfinished line passes the bound', () => {
    const splitter = new LineSplitter(8);
    expect(splitter.push(Buffer.from('12345678\n'))).toEqual({ lines: ['12345678'], overflow: false });
    expect(splitter.push(Buffer.from('12345'))).toEqual({ lines: [], overflow: false });
    expect(splitter.push(Buffer.from('6789'))).toEqual({ lines: [], overflow: true });
  });

  it('reports an overflow for a completed line past the bound, whole in one chunk or ended in a later one', () => {
    expect(new LineSplitter(8).push(Buffer.from('123456789\n'))).toEqual({ lines: [], overflow: true });
    expect(new LineSplitter(8).push(Buffer.from(`ok\n${'x'.repeat(1000)}\n`))).toEqual({ lines: ['ok'], overflow: true });
    const split = new LineSplitter(8);
    expect(split.push(Buffer.from('12345'))).toEqual({ lines: [], overflow: false });
    expect(split.push(Buffer.from('6789\n'))).toEqual({ lines: [], overflow: true });
    const exact = new LineSplitter(8);
    expect(exact.push(Buffer.from('1234'))).toEqual({ lines: [], overflow: false });
    expect(exact.push(Buffer.from('5678\n'))).toEqual({ lines: ['12345678'], overflow: false });
  });

  it('never hands out a line longer than its bound, however the bytes are chunked', () => {
    fc.assert(fc.property(fc.nat(40), fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\n'), maxLength: 60 }), { maxLength: 8 }), (maxBytes, chunks) => {
      const splitter = new LineSplitter(maxBytes);
      for (const chunk of chunks) {
        const { lines, overflow } = splitter.push(Buffer.from(chunk));
        for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(maxBytes);
        if (overflow) return;
      }
    }), { numRuns: 500 });
  });
});

describe('the wire shared by the client and the extension (shared/socket-wire.ts)', () => {
  it('bounds lines at 64 KiB by default, as the extension does', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from(`${'a'.repeat(MAX_LINE_BYTES)}\n`)).lines).toEqual(['a'.repeat(65_536)]);
    expect(splitter.push(Buffer.alloc(MAX_LINE_BYTES + 1, 'b')).overflow).toBe(true);
    expect(deadlineAbortReason()).toMatchObject({ name: 'TimeoutError', message: 'The invoke deadline is near' });
  });

  it('is the one place that spells its constants', () => {
    const root = new URL('../../', import.meta.url);
    const sources = ['client', 'extension', 'shared'].flatMap((dir) =>
      readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`));
    // Each constant and the one file that spells it (the abort reason: the same for jobs in the runtime and over the socket).
    const spelled: Array<[RegExp, string]> = [
      [/['"]AFTER_RESPONSE_SOCKET['"]/, 'shared/socket-wire.ts'], [/['"]AFTER_RESPONSE_TICKET['"]/, 'shared/socket-wire.ts'], [/The invoke deadline is near/, 'shared/deadline-abort.ts'],
      [/64 \* 1024|65_?536/, 'shared/socket-wire.ts'], [/\bv: 1\b/, 'shared/socket-wire.ts'],
    ];
    const offenders = sources.flatMap((file) => spelled.filter(([pattern, owner]) => file !== owner && pattern.test(readFileSync(new URL(file, root), 'utf8'))).map(([pattern]) => `${file} ${pattern}`));
    expect(offenders).toEqual([]);
  });
});
