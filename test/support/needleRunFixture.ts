// What the agents' handler tests run against: a 60-file needle repository, the test scoring server
// on 127.0.0.1 and a tokenizer, set up before a suite's tests and closed after them.
import { after, before } from 'node:test';
import { forgetProbes } from '../../extension/core/model/probe';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { needleRepo } from './needleRepo';
import { startScoringServer, type ScoringServer } from './scoringServer';

export interface NeedleRunFixture {
  tokenizer: TiktokenTokenizer;
  repo: ReturnType<typeof needleRepo>;
  /** A test may swap in another server for a while (and put this one back). */
  server: ScoringServer;
}

/** Call inside a `describe`: the fields are set once its `before` has run. */
export function needleRunFixture(): NeedleRunFixture {
  const fixture = { tokenizer: new TiktokenTokenizer() } as NeedleRunFixture;
  before(async () => {
    fixture.repo = needleRepo({ maxFiles: 60, depth: 0.5 });
    fixture.server = await startScoringServer();
    forgetProbes();
  });
  after(async () => {
    fixture.repo.dispose();
    await fixture.server.close();
    fixture.tokenizer.dispose();
  });
  return fixture;
}
