// Flags for a built CLI that a benchmark runs once per checkout: each question in its own process,
// starting no repository server (one per checkout would stay behind), for builds that have one.
import { execFileSync } from 'node:child_process';

const known = new Map<string, string[]>();

/** `--no-server` where the CLI at `cli` knows it (builds before the server do not). */
export function askInProcess(cli: string): string[] {
  let flags = known.get(cli);
  if (!flags) {
    flags = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' }).includes('--no-server') ? ['--no-server'] : [];
    known.set(cli, flags);
  }
  return flags;
}
