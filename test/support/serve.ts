// Starts the test scoring server by hand: `npx tsx test/support/serve.ts [port]`.
import { startScoringServer } from './scoringServer';

startScoringServer().then((s) => {
  process.stdout.write(`${s.url}\n`);
});
