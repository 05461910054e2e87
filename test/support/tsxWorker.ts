// Starts a worker thread on a TypeScript source: worker threads do not inherit tsx's loader.
import { Worker } from 'node:worker_threads';

export function tsxWorker(path: string, workerData?: unknown): Worker {
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(path)});`, { eval: true, workerData });
}
