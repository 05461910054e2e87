// The `xl3m` command's entry (dist/cli.js): reads the command line, and hands a question to the
// repository's server when there is one, loading nothing else; the rest of the CLI (main.ts, its
// own bundle dist/cliMain.js) is loaded only when this process has work to do. Loading the whole
// CLI took about 0.05 s of a warm question's 0.5 s on this project's machines.
import { join } from 'node:path';
import { inertLine } from '../core/report/terminalText';
import { parseCommandLine, UsageError, type Command } from './args';
import { failed, prepareAsk, type Io } from './askInput';
import { askThroughServer } from './serverClient';

type Main = typeof import('./main');

/** The rest of the CLI: the bundle next to this one (the sources when run from them, under tsx). */
function loadMain(): Main {
  const bundled = __filename.endsWith('.js');
  // a path made at run time: the bundler leaves the other bundle out of this one
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const main = require(join(__dirname, bundled ? 'cliMain.js' : 'main')) as Main;
  if (bundled) main.prepareProcess(__dirname);
  return main;
}

/** Runs the CLI; resolves to the exit code. */
export async function launch(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv, io.env);
  } catch (err) {
    if (err instanceof UsageError) {
      // node's parser explains an unknown or malformed flag over several lines: the first says it
      io.stderr.write(`xl3m: ${inertLine(err.message.split('\n', 1)[0]!)} (xl3m --help lists every option)\n`);
      return 2;
    }
    throw err;
  }
  if (command.command !== 'ask') return loadMain().runCommand(command, io, signal);
  let args;
  try {
    args = await prepareAsk(command, io);
    if (args.server && args.cache && io.entry) {
      const code = await askThroughServer(args, io, io.entry, signal);
      if (code !== undefined) return code;
    }
  } catch (err) {
    return failed(err, io);
  }
  return loadMain().runAskHere(args, io, signal);
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    controller.abort(new Error('interrupted'));
  });
  launch(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, entry: __filename }, controller.signal).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`xl3m: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
