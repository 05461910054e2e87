import { DEFAULTS, type RunConfig } from '../../extension/core/runConfig';
import type { ScoringServer } from './scoringServer';

/** A run configuration as the settings would give it: with the test server when one is given, else no model. */
export function testConfig(server?: ScoringServer): RunConfig {
  return {
    ...(server ? { server: { baseUrls: [server.url], model: 'test-model', method: 'auto', concurrency: 2, promptsPerRequest: 1, timeoutSeconds: 30, retries: 1 } } : {}),
    answer: true,
    segmentTokens: 1024,
    measure: DEFAULTS.measure,
    ranking: DEFAULTS.ranking,
    excludes: [],
    useDefaultExcludes: true,
    maxFileBytes: DEFAULTS.maxFileBytes,
    includeSecrets: false,
    useGitignore: true,
    pinned: [],
  };
}
