// The built CLI in a process of its own, as a user runs it: what it wrote and how it ended.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(__dirname, '../../dist/cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node <cli> ...args`, the environment's variables added to this process's; `onStderr` sees the error output so far as it grows. */
export function cliProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cli?: string; input?: string; onStderr?(text: string, child: ChildProcess): void } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [options.cli ?? CLI, ...args], { env: { ...process.env, ...options.env } });
    child.stdin.end(options.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
