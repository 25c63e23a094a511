// Matches proxied requests against FaultRules, counting uses for rules with `times`.
import type { FaultAction, FaultRule } from './types.ts';

export class FaultTable {
  private readonly used = new Map<FaultRule, number>();

  private readonly rules: FaultRule[];

  constructor(rules: FaultRule[]) {
    this.rules = [...rules];
  }

  /** Later rules match only where no earlier one does (or the earlier ones are used up). */
  add(rules: FaultRule[]): void {
    this.rules.push(...rules);
  }

  /** The action of the first rule that matches and is not used up; counts the use. */
  take(method: string, path: string): FaultAction | undefined {
    for (const rule of this.rules) {
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      rule.path.lastIndex = 0;
      if (!rule.path.test(path)) continue;
      const count = this.used.get(rule) ?? 0;
      if (rule.times !== undefined && count >= rule.times) continue;
      this.used.set(rule, count + 1);
      return rule.action;
    }
    return undefined;
  }
}
