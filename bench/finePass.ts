// `npx tsx bench/finePass.ts`: what the fine pass costs beside the coarse pass, with the stand-in server, on
// the needle repositories of the tests (300 and 635 files of the openai package), fused and model rankings.
import { nodeFileSystem } from '../extension/core/files/fileSystem';
import { ask } from '../extension/core/pipeline';
import { CompletionsScorer } from '../extension/core/model/families/vllm';
import { TiktokenTokenizer } from '../extension/core/tokens/tokenizer';
import { NEEDLE_QUESTION, needleRepo } from '../test/support/needleRepo';
import { startScoringServer } from '../test/support/scoringServer';
(async () => {
  const server = await startScoringServer();
  const t = new TiktokenTokenizer();
  for (const maxFiles of [300, 635]) {
    const repo = needleRepo({ maxFiles, depth: 0.6 });
    for (const ranking of ['fused', 'model'] as const) {
      const r = await ask(
        { question: NEEDLE_QUESTION, roots: [{ path: repo.root, name: 'r' }], ranking },
        { fs: nodeFileSystem, tokenizer: t, scorer: new CompletionsScorer({ endpoint: { baseUrl: server.url, model: 'test-model' } }) },
      );
      const rank = r.files.findIndex((f) => f.path === repo.needlePath) + 1;
      console.log(
        `${maxFiles} files, ${r.stats.tokens} tokens, ${ranking}: coarse ${r.stats.scoredTokens} tokens in ${r.stats.segments} segments, fine pass ${r.stats.finePassFiles} files ${r.stats.finePassTokens} tokens (${((100 * r.stats.finePassTokens) / r.stats.scoredTokens).toFixed(1)}%), needle rank ${rank}`,
      );
    }
    repo.dispose();
  }
  t.dispose();
  await server.close();
})();
