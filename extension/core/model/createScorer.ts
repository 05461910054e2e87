import type { Endpoint } from './endpoint';
import { ScoringUnsupportedError, type Scorer } from './scorer';
import { familyOf, type ScoringMethod } from './families';
import type { ScorerOptions } from './families/family';
import type { BatchScorer } from './scorers/batchScorer';
import { MultiEndpointScorer } from './scorers/multiEndpointScorer';
import { probeEndpoint, type ProbeResult } from './probe';
import { DEFAULTS } from '../options';

export interface ScorerSettings {
  endpoints: Endpoint[];
  /** `auto`: the best method each server's probe finds. */
  method: 'auto' | ScoringMethod;
  /** Per endpoint. */
  concurrency?: number;
  promptsPerRequest?: number;
}

export function scorerFor(method: ScoringMethod, options: ScorerOptions): BatchScorer {
  return familyOf(method).createScorer(options);
}

/**
 * A scorer for the configured endpoints: each probed (once, cached) unless the method is set; one
 * endpoint scores alone, several share the segments. Endpoints that cannot score are left out, and
 * when none can, the probe's reason is the error.
 */
export async function createScorer(settings: ScorerSettings, signal?: AbortSignal): Promise<{ scorer: Scorer; probes: ProbeResult[]; notes: string[] }> {
  if (settings.endpoints.length === 0) throw new Error('no server configured');
  const probes: ProbeResult[] = [];
  const notes: string[] = [];
  const members = [];
  for (const endpoint of settings.endpoints) {
    let method: ScoringMethod | undefined;
    let probe: ProbeResult | undefined;
    if (settings.method === 'auto') {
      probe = await probeEndpoint(endpoint, signal);
      probes.push(probe);
      method = probe.method;
      if (!method) {
        notes.push(`${endpoint.baseUrl}: ${probe.explanation}`);
        continue;
      }
    } else {
      method = settings.method;
    }
    // the probe already knows whether /tokenize works: the scorer need not ask again
    const spans = probe ? (probe.capabilities.tokenize ? ('token-ids' as const) : ('text' as const)) : undefined;
    const options = { endpoint, concurrency: settings.concurrency, promptsPerRequest: settings.promptsPerRequest, ...(spans ? { spans } : {}) };
    const scorer = scorerFor(method, options);
    members.push({ scorer, concurrency: settings.concurrency ?? DEFAULTS.concurrency, batchSize: scorer.batchSize });
  }
  if (members.length === 0) throw new ScoringUnsupportedError(notes.join('; '));
  const scorer = members.length === 1 ? members[0]!.scorer : new MultiEndpointScorer(members);
  return { scorer, probes, notes };
}
