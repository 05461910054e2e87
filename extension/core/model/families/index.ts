// Every server family xl3m can score with, best first: the probe tries their checks and picks the
// first that passes; settings, the CLI and `xl3m check` list their methods from here. A new family
// is one module beside these and one line below.
import { chatYesNoFamily, nextTokenEntropyFamily } from './chat';
import type { ServerFamily } from './family';
import { sglangFamily } from './sglang';
import { tgiFamily } from './tgi';
import { completionsEchoFamily } from './vllm';

export const FAMILIES = [sglangFamily, completionsEchoFamily, tgiFamily, chatYesNoFamily, nextTokenEntropyFamily] as const;

export type ScoringMethod = (typeof FAMILIES)[number]['method'];
export const SCORING_METHODS: ScoringMethod[] = FAMILIES.map((f) => f.method);

export function familyOf(method: ScoringMethod): ServerFamily<ScoringMethod> {
  return FAMILIES.find((f) => f.method === method)!;
}
