// The fault × feature matrix, faults of the extension's `next` (and Managed Instances, where no
// Extensions API call is made), both profiles. Each cell arms its fault, then invokes its feature
// twice in the row's warm sandbox: the first fault hits the release of invoke 1 (a `next` the
// proxy holds, fails or answers itself, not forwarded); where there is a second, it hits the
// retry, which is forwarded, so it hits the event of invoke 2 (consumed, then lost, unreadable or
// late). See fault-matrix.ts for what a cell checks.
import { describe, expect, it } from 'vitest';
import type { FaultRule } from '../rig/types.ts';
import { FEATURES, runCell, runManagedCell, type Expect } from './fault-matrix.ts';
import { PROFILES, sandboxFor, startWithLayer } from './product-helpers.ts';

const NEXT = /\/extension\/event\/next$/;
const once = (action: FaultRule['action']): FaultRule => ({ path: NEXT, action, times: 1 });

interface Row {
  readonly fault: string;
  readonly arm: readonly FaultRule[];
  readonly invokes: readonly Expect[];
  /** WARN/ERROR lines (as JSON) the fault explains. */
  readonly allowed: readonly RegExp[];
  readonly timeoutSeconds?: number;
}

const ROWS: readonly Row[] = [
  {
    fault: 'next 500', arm: [once({ kind: 'status', status: 500, body: 'injected' })], invokes: ['reset', 'held'], timeoutSeconds: 3,
    allowed: [/"message":"extension loop stopped \(exit-requested\)/],
  },
  {
    fault: 'next connection reset', arm: [once({ kind: 'drop', afterMs: 200 }), once({ kind: 'lose-answer' })], invokes: ['held', 'held'],
    allowed: [/"message":"next failed: polling again"/, /"message":"held an invoke whose INVOKE event the failed next may have consumed/],
  },
  {
    fault: 'next garbled', arm: [once({ kind: 'garble' }), once({ kind: 'garble-answer' })], invokes: ['held', 'held'],
    allowed: [/"message":"next failed: polling again"/, /"message":"next answered an unreadable event/, /"message":"held an invoke whose INVOKE event the failed next may have consumed/],
  },
  { fault: 'next slow (300 ms before and after RIE)', arm: [once({ kind: 'delay', ms: 300, answerMs: 300 })], invokes: ['held', 'held'], allowed: [] },
];

describe.each(PROFILES)('fault × feature matrix on %s: next', (profile) => {
  describe.each(ROWS)('$fault', (row) => {
    const sandbox = sandboxFor(async () => {
      const box = await startWithLayer({ profile, handler: 'matrix.handler', timeoutSeconds: row.timeoutSeconds ?? 5 });
      await box.invoke({ feature: 'job', tag: 'warm-up', dir: '/tmp' }); // the cold start's `next` calls are not the cells'
      return box;
    });

    it.each(FEATURES.map((f) => [f.name, f] as const))('× %s', async (_name, feature) => {
      const box = await sandbox();
      const callsBefore = box.calls().length;
      box.addFaults(row.arm.map((rule) => ({ ...rule }))); // fresh rules: the proxy counts uses per rule object
      const tag = `${row.fault.split(' ').slice(0, 2).join('-')}-${feature.name.replace(/\W+/g, '-')}`;
      await runCell({ box, feature, tag, invokes: row.invokes, allowed: row.allowed, frozen: true });
      expect(box.calls().slice(callsBefore).map((c) => c.fault).filter(Boolean), 'every armed fault hit').toEqual(row.arm.map((r) => r.action.kind));
    });
  });
});

// RIC 4 (nodejs24.x) alone runs Managed Instances' worker threads (the rig's other Managed
// Instances tests are nodejs24.x too). Every fault above is installed: none applies, since the
// extension never registers there (Lambda refuses INVOKE registration) and runs no loop.
describe('fault × feature matrix on nodejs24.x: Managed Instances, with every Extensions API fault installed', () => {
  const faults: FaultRule[] = [
    { path: /\/extension\/register$/, action: { kind: 'hang' } },
    ...ROWS.flatMap((r) => r.arm.map(({ path, action }) => ({ path, action }))), // every time
  ];
  const env = { AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-managed-instances', AWS_LAMBDA_MAX_CONCURRENCY: '2' };
  const sandbox = sandboxFor(() => startWithLayer({ profile: 'nodejs24.x', handler: 'matrix.handler', env, faults, freeze: false, timeoutSeconds: 5 }));

  it.each(FEATURES.map((f) => [f.name, f] as const))('× %s', async (_name, feature) => {
    const box = await sandbox();
    await runManagedCell(box, feature, `managed-${feature.name.replace(/\W+/g, '-')}`);
    expect(box.calls().filter((c) => c.kind.startsWith('extension-')), 'Extensions API calls').toEqual([]);
  });
});
