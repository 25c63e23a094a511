// Figure 6 at a steady rate: the trivial workload's three functions (the layer, the floor, no
// layer), fresh, each invoked PACED_RATE times a second instead of back to back, then read as
// figure 6 reads them. V8 12.4 (nodejs22.x) shrinks its young generation only while a function
// allocates under 1,000 bytes per ms, and the layer's trivial function allocates ~30 KB an invoke
// with ten jobs against the baseline's ~9.5: back to back (65–125 invokes a second here) the
// layer's new space stays larger than the baseline's, at ~30 a second neither does
// (bench/results/memory-attribution.md, section 12). The realistic workload is not paced: its own
// allocation keeps its young generation at the maximum with or without the layer.
import { setTimeout } from 'node:timers/promises';
import { anonRow, measure, rssRow, withMemoryFunctions } from './fig-memory.ts';
import type { FigureContext, Row } from './types.ts';

/** Invokes a second of each function (a round of the three every 1,000 / PACED_RATE ms). */
export const PACED_RATE = 30;
/** The rows' workload label: `trivial, 30 invokes a second`. */
export const PACED_LABEL = `trivial, ${PACED_RATE} invokes a second`;

/**
 * Runs `rounds` rounds of `steps` (order rotated every round), a round starting every `intervalMs`
 * (at once when the last one overran, never before it is due); returns the rounds a second achieved.
 */
export async function paced(rounds: number, intervalMs: number, steps: ReadonlyArray<() => Promise<void>>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    // Again after waking: Node's timers can fire a fraction of a ms before performance.now() says they are due.
    for (let wait = start + i * intervalMs - performance.now(); wait > 0; wait = start + i * intervalMs - performance.now()) await setTimeout(wait);
    for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]?.();
  }
  return rounds / ((performance.now() - start) / 1000);
}

export async function pacedMemory(ctx: FigureContext): Promise<Row[]> {
  return withMemoryFunctions(ctx, 'trivial', async ({ withLayer, without, floor }, once) => {
    const rate = await paced(ctx.counts.memoryInvokes, 1000 / PACED_RATE, [once(withLayer), once(without), once(floor)]);
    const [a, b, f] = [await measure(withLayer), await measure(without), await measure(floor)];
    ctx.log(`  memory ${ctx.profile} ${PACED_LABEL} ${ctx.memorySizeMb} MB (achieved ${rate.toFixed(1)} a second): ${a.rssMb.toFixed(1)} MB with, ${b.rssMb.toFixed(1)} MB without, ${f.rssMb.toFixed(1)} MB the floor; young generation ${a.youngMb} / ${b.youngMb} / ${f.youngMb} MB`);
    return [
      rssRow(ctx, PACED_LABEL, a, b),
      rssRow(ctx, PACED_LABEL, a, f, { split: 'layer − floor (ours)' }),
      anonRow(ctx, PACED_LABEL, a, f, { split: 'layer − floor (ours)' }),
    ];
  });
}
