// A worker thread of `TokenizerPool`: counts the tokens of each file's lines with its own tiktoken.
import { parentPort, workerData } from 'node:worker_threads';
import { countLineTokens, splitLines, TiktokenTokenizer } from './tokenizer';
import type { TokenizeReply, TokenizeRequest } from './tokenizerPool';

const tokenizer = new TiktokenTokenizer(workerData?.encoding);
parentPort!.on('message', ({ id, texts }: TokenizeRequest) => {
  const counts = texts.map((text) => countLineTokens(splitLines(text), tokenizer));
  parentPort!.postMessage(
    { id, counts } satisfies TokenizeReply,
    counts.map((c) => c.lineTokens.buffer as ArrayBuffer),
  );
});
