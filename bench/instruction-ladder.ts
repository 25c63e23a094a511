// A ladder of instruction counts (instruction-count.ts): each step a fresh process, printed with
// its difference from the step before. bench/init-floor.ts and init-floor-workload.ts use it.

export interface Step { readonly name: string; readonly count: () => Promise<number> }

/** Millions with a sign and three decimals: `+1.234`. */
export const signed = (n: number): string => `${n >= 0 ? '+' : ''}${(n / 1e6).toFixed(3)}`;

/** Counts the steps in order, printing each (M instructions and Δ from the previous); returns the counts. */
export async function ladder(title: string, steps: readonly Step[]): Promise<number[]> {
  console.log(title);
  const counts: number[] = [];
  for (const step of steps) {
    const ir = await step.count();
    const previous = counts.at(-1);
    counts.push(ir);
    console.log(`  ${step.name.padEnd(62)} ${(ir / 1e6).toFixed(3).padStart(8)} M${previous === undefined ? '' : `  Δ ${signed(ir - previous)} M`}`);
  }
  return counts;
}
