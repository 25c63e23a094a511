// The fault × feature matrix, registration faults (and the fault-free row), both profiles: each
// fault hits the layer's registration at init; the features then run one cell each, serially, in
// the row's sandbox. See fault-matrix.ts for what a cell checks.
import { describe, expect, it } from 'vitest';
import type { FaultRule, SandboxOptions } from '../rig/types.ts';
import { FEATURES, problems, runCell, type Expect } from './fault-matrix.ts';
import { PROFILES, sandboxFor, startWithLayer } from './product-helpers.ts';

const REGISTER = /\/extension\/register$/;
/** The line a failed registration must cause, with what it must say besides (matched against the line's JSON). */
const unheld = (detail = ''): RegExp => new RegExp(`"level":"ERROR".*"message":"registration with the Extensions API failed: jobs run unheld.*${detail}`);

interface Row {
  readonly fault: string;
  readonly options: Pick<SandboxOptions, 'faults' | 'refuseExtensionConnections' | 'timeoutSeconds'>;
  readonly expect: Expect;
  /** The WARN/ERROR lines (as JSON) the fault must cause over the row (each exactly once), and may cause in a cell. */
  readonly logs: readonly RegExp[];
}

const register = (action: FaultRule['action']): Pick<SandboxOptions, 'faults'> => ({ faults: [{ path: REGISTER, action }] });

const ROWS: readonly Row[] = [
  { fault: 'none', options: {}, expect: 'held', logs: [] },
  { fault: 'register 403', options: register({ kind: 'status', status: 403, body: '{"errorType":"Extension.RegistrationClosed","errorMessage":"injected"}' }), expect: 'unheld', logs: [unheld('Extension.RegistrationClosed')] },
  { fault: 'register 500', options: register({ kind: 'status', status: 500, body: 'injected' }), expect: 'unheld', logs: [unheld('answered 500')] },
  { fault: 'register connection refused', options: { refuseExtensionConnections: true }, expect: 'unheld', logs: [unheld('ECONNREFUSED')] },
  { fault: 'register slow (answers after 1 s)', options: register({ kind: 'delay', ms: 1000 }), expect: 'held', logs: [] },
  // Inside Lambda's 10 s init; the invoke's timeout, which under RIE includes the (lazy) init, leaves room for it.
  { fault: 'register never answered', options: { ...register({ kind: 'hang' }), timeoutSeconds: 12 }, expect: 'unheld', logs: [/"level":"ERROR".*regist/i] },
];

describe.each(PROFILES)('fault × feature matrix on %s: registration', (profile) => {
  describe.each(ROWS)('$fault', (row) => {
    const sandbox = sandboxFor(() => startWithLayer({ profile, handler: 'matrix.handler', timeoutSeconds: 5, ...row.options }));
    let timedOut: string | undefined;

    it.each(FEATURES.map((f) => [f.name, f] as const))('× %s', async (_name, feature) => {
      // One sandbox serves the row: after an invoke reached its timeout, the later cells fail at once.
      if (timedOut !== undefined) expect.fail(`an earlier cell of this row reached its timeout (${timedOut})`);
      const box = await sandbox();
      try {
        await runCell({ box, feature, tag: `${row.fault.split(' ').join('-')}-${feature.name.replace(/\W+/g, '-')}`, invokes: [row.expect], allowed: row.logs, frozen: true });
      } catch (error) {
        if (String(error).includes('reached its timeout')) timedOut = feature.name;
        throw error;
      }
    });

    it('logs what the fault explains, once', async () => {
      const lines = problems((await sandbox()).logs()).map((l) => JSON.stringify(l));
      for (const pattern of row.logs) expect(lines.filter((l) => pattern.test(l)), String(pattern)).toHaveLength(1);
      expect(lines).toHaveLength(row.logs.length);
    });
  });
});
