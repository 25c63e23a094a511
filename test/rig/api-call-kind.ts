// Classifies a Runtime API / Extensions API request path into an ApiCall kind.
import type { ApiCallKind } from './types.ts';

const invocationPath = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

export function classify(method: string, path: string): { kind: ApiCallKind; requestId?: string } {
  const bare = path.split('?')[0] ?? path;
  if (bare === '/2018-06-01/runtime/invocation/next') return { kind: 'runtime-next' };
  const m = invocationPath.exec(bare);
  if (m && method === 'POST') {
    const requestId = decodeURIComponent(m[1] ?? '');
    return { kind: m[2] === 'response' ? 'runtime-response' : 'runtime-error', requestId };
  }
  if (bare === '/2018-06-01/runtime/init/error') return { kind: 'runtime-init-error' };
  if (bare === '/2020-01-01/extension/register') return { kind: 'extension-register' };
  if (bare === '/2020-01-01/extension/event/next') return { kind: 'extension-next' };
  if (/^\/2020-01-01\/extension\/(init|exit)\/error$/.test(bare)) return { kind: 'extension-error' };
  return { kind: 'other' };
}
