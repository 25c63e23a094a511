import type { Profile } from './types.ts';

// What RIC 3.3 / 4.0 load before their first `next` (their CPU profiles under the rig).
export const RUNTIME_BUILTINS: Record<Profile, string[]> = {
  'nodejs22.x': ['node:net', 'node:http', 'node:stream', 'node:module'],
  'nodejs24.x': ['node:net', 'node:http', 'node:stream', 'node:module', 'node:worker_threads', 'node:os'],
};
