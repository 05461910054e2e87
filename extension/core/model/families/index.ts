// Every server family xl3m can score with, best first: the probe tries their checks and picks the
// first that passes; settings, the CLI and `xl3m check` list their methods from here. A new family
// is one module beside these, one line below and its name in methods.ts.
import { chatYesNoFamily, nextTokenEntropyFamily } from './chat';
import type { ServerFamily } from './family';
import { sglangFamily } from './sglang';
import { tgiFamily } from './tgi';
import { completionsEchoFamily } from './vllm';
import type { ScoringMethod } from './methods';

export const FAMILIES = [sglangFamily, completionsEchoFamily, tgiFamily, chatYesNoFamily, nextTokenEntropyFamily] as const;

export { SCORING_METHODS, type ScoringMethod } from './methods';

export function familyOf(method: ScoringMethod): ServerFamily<ScoringMethod> {
  return FAMILIES.find((f) => f.method === method)!;
}
