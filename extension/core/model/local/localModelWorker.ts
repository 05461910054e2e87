// The child process that holds the local model, so that loading and evaluating it never blocks the
// caller's thread (the VS Code extension host). Started by `LocalModelProcess`; speaks
// `localModelProtocol.ts` over the IPC channel.
import { LocalModel, LocalScorer } from './localModel';
import type { FromWorker, ToWorker } from './localModelProtocol';

let model: LocalModel | undefined;
const running = new Map<number, AbortController>();
let queue = Promise.resolve();

const send = (m: FromWorker): void => void process.send?.(m);

async function run(m: Exclude<ToWorker, { type: 'cancel' }>, signal: AbortSignal): Promise<void> {
  if (m.type === 'load') {
    await model?.dispose();
    model = await LocalModel.load(m.path, { contextSize: m.contextSize, threads: m.threads });
    send({ type: 'loaded', id: m.id, name: model.name, contextSize: model.contextSize, sampleTokens: model.sampleTokens });
    return;
  }
  if (!model) throw new Error('no model is loaded');
  if (m.type === 'score') {
    const scorer = new LocalScorer(model);
    let reported = 0;
    try {
      await scorer.score(m.requests, m.question, {
        signal,
        onResult: (index, certainty) => {
          send({ type: 'result', id: m.id, index, certainty, promptTokens: scorer.stats.promptTokens - reported });
          reported = scorer.stats.promptTokens;
        },
        onFailure: (index, err) => send({ type: 'failure', id: m.id, index, message: err.message }),
      });
    } catch (err) {
      if (signal.aborted) return send({ type: 'cancelled', id: m.id });
      throw err;
    }
    return send({ type: 'done', id: m.id });
  }
  const text = await model.answer(m.keyContext, m.question, { signal, maxTokens: m.maxTokens, onDelta: (t) => send({ type: 'delta', id: m.id, text: t }) });
  send(signal.aborted ? { type: 'cancelled', id: m.id } : { type: 'done', id: m.id, text });
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') return running.get(m.id)?.abort();
  const controller = new AbortController();
  running.set(m.id, controller);
  // the model has one sequence: jobs run one after another
  queue = queue
    .then(() => run(m, controller.signal))
    .catch((err: Error) => send({ type: 'error', id: m.id, message: err.message }))
    .finally(() => running.delete(m.id));
});

// the parent went away: nothing is left to serve
process.on('disconnect', () => process.exit(0));
