// What every command's process needs before it runs anything heavy: its streams (Io), the one-line
// report of a failure, and `ask`'s question made ready (read from a file or standard input, paths
// made absolute and checked), the same whether this process answers or the repository's server.
// It imports little, so that a question handed to the server loads little.
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { promises as fsp } from 'node:fs';
import { CancelledError } from '../core/cancelled';
import { inertLine } from '../core/report/terminalText';
import { UsageError, type AskArgs } from './args';

export interface Io {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** The script that runs the CLI (dist/cli.js), which `ask` starts as the repository's background server; none: no server. */
  entry?: string;
}

/** Says why a command failed; its exit code: 130 when cancelled, 2 for a usage error, else 1. */
export function failed(err: unknown, io: Pick<Io, 'stderr'>): number {
  const message = err instanceof CancelledError ? err.message : (err as Error).message;
  io.stderr.write(`${io.stderr.isTTY ? '\r\x1b[K' : ''}xl3m: ${inertLine(message)}\n`);
  return err instanceof CancelledError ? 130 : err instanceof UsageError ? 2 : 1;
}

/** The question: as given, or read from a file or standard input (one too long for a command line). */
async function questionOf(args: AskArgs, io: Io): Promise<string> {
  if (args.questionFrom === undefined) return args.question;
  let text: string;
  if (args.questionFrom === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of (io.stdin ?? process.stdin) as Readable) chunks.push(Buffer.from(chunk as Buffer));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    text = await fsp.readFile(args.questionFrom, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--question-file cannot be read: ${args.questionFrom} (${err.code ?? err.message})`);
    });
  }
  if (!text.trim()) throw new UsageError(`the question is empty (read from ${args.questionFrom === '-' ? 'standard input' : args.questionFrom})`);
  return text.trim();
}

/** The command line's question read and its paths made absolute and checked: what a run needs, in this process or in the server. */
export async function prepareAsk(args: AskArgs, io: Io): Promise<AskArgs> {
  const question = await questionOf(args, io);
  const repo = path.resolve(args.repo);
  const stat = await fsp.stat(repo).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UsageError(`--repo is not a folder: ${repo}`);
  const config = args.config;
  if (config.localModel && !config.server) {
    const file = path.resolve(config.localModel.path);
    if (!(await fsp.stat(file).catch(() => undefined))?.isFile()) throw new UsageError(`--model-file is not a file: ${file}`);
    config.localModel.path = file;
  }
  return { ...args, question, questionFrom: undefined, repo };
}
