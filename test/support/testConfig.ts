import { defaultRunConfig, type RunConfig } from '../../extension/core/config/runConfig';
import type { ScoringServer } from './scoringServer';

/** A run configuration as the settings would give it: with the test server when one is given, else no model. */
export function testConfig(server?: ScoringServer): RunConfig {
  return defaultRunConfig({
    ...(server
      ? { server: { baseUrls: [server.url], model: 'test-model', method: 'auto', concurrency: 2, promptsPerRequest: 1, timeoutSeconds: 30, retries: 1 } }
      : {}),
    segmentTokens: 1024,
  });
}
