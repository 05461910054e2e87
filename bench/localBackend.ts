// `npm run bench:local`: scored tokens/s of the local backend (one controlledEvaluate per segment,
// probabilities read at the question positions), in this process (the CLI) and in the child process
// the extension uses (dist/localModelWorker.js), against llama.cpp's plain prompt evaluation of the
// same model and the same token sequence, measured side by side.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalModel } from '../extension/core/model/local/localModel';
import { LocalModelProcess } from '../extension/core/model/local/localModelProcess';
import { writeTinyGguf } from '../test/support/tinyGguf';

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'xl3m-bench-'));
  const { path } = writeTinyGguf(join(dir, 'bench.gguf'), { embedding: 256, layers: 4 });
  const model = await LocalModel.load(path, { contextSize: 2048 });
  const child = await LocalModelProcess.start(path, { workerPath: join(__dirname, '../dist/localModelWorker.js'), contextSize: 2048 });
  try {
    const source = readFileSync(join(__dirname, '../extension/core/xl3m/segment.ts'), 'utf8');
    const question = 'How does the segmenter choose where to cut a large file?';
    let context = source;
    while (model.promptTokens(context, question).tokens.length > 1900) context = context.slice(0, Math.floor(context.length * 0.9));
    const { tokens } = model.promptTokens(context, question);
    const rounds = 15;
    const scored: number[] = [];
    const plain: number[] = [];
    const viaChild: number[] = [];
    const scoreInChild = () =>
      child.scorer().score([{ index: 0, text: context }], question, {
        onResult() {},
        onFailure: (_i, e) => {
          throw e;
        },
      });
    await model.questionDistribution(context, question); // warm up
    await scoreInChild();
    for (let i = 0; i < rounds; i++) {
      let t = performance.now();
      await scoreInChild();
      viaChild.push(tokens.length / ((performance.now() - t) / 1000));
      t = performance.now();
      await model.questionDistribution(context, question);
      scored.push(tokens.length / ((performance.now() - t) / 1000));
      t = performance.now();
      await model.evaluateOnly(tokens);
      plain.push(tokens.length / ((performance.now() - t) / 1000));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const s = median(scored);
    const p = median(plain);
    console.log(`model: tiny llama GGUF (256-dim, 4 layers, F32), sequence of ${tokens.length} tokens, ${rounds} rounds, medians`);
    const c = median(viaChild);
    console.log(`local backend scoring, in process (CLI): ${s.toFixed(0)} tokens/s`);
    console.log(`local backend scoring, in the child process (extension): ${c.toFixed(0)} tokens/s`);
    console.log(`llama.cpp prompt evaluation: ${p.toFixed(0)} tokens/s`);
    console.log(`ratio in process: ${(s / p).toFixed(3)}; in the child process: ${(c / p).toFixed(3)}`);
  } finally {
    child.dispose();
    await model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
