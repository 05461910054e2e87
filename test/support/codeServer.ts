// code-server (VS Code in a browser, on Node 24) as the e2e tests and bench:extension run it:
// installed by test/e2e/setup.sh into test/e2e/deps; the extension installed from a .vsix, the
// server bound to 127.0.0.1 on a free port, stopped with its whole process group.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const E2E_DEPS = join(__dirname, '../e2e/deps');
export const NODE24 = join(E2E_DEPS, 'node24/node_modules/node/bin/node');
export const CODE_SERVER = join(E2E_DEPS, 'code-server/node_modules/code-server/out/node/entry.js');

export interface CodeServerDirs {
  userDataDir: string;
  extensionsDir: string;
}

const dirArgs = (dirs: CodeServerDirs) => ['--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir];

/** Installs an extension from its .vsix; the installer's output when it fails. */
export function installExtension(dirs: CodeServerDirs, vsix: string, env: NodeJS.ProcessEnv = process.env): { ok: boolean; output: string } {
  const run = spawnSync(NODE24, [CODE_SERVER, ...dirArgs(dirs), '--install-extension', vsix], { encoding: 'utf8', env });
  return { ok: run.status === 0, output: `${run.stdout}\n${run.stderr}` };
}

export interface RunningCodeServer {
  process: ChildProcess;
  port: string;
  /** What it printed so far. */
  log(): string;
  /** Stops it and everything it started (SIGTERM, then SIGKILL after a second). */
  stop(): Promise<void>;
}

/** Starts code-server on `folder` and waits (up to 90 s) until it says where it listens. */
export async function startCodeServer(dirs: CodeServerDirs, folder: string, env: NodeJS.ProcessEnv): Promise<RunningCodeServer> {
  const child = spawn(
    NODE24,
    [
      CODE_SERVER,
      '--bind-addr',
      '127.0.0.1:0',
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      ...dirArgs(dirs),
      folder,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let log = '';
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (child.exitCode !== null) return;
    signal('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    signal('SIGKILL');
  };
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${log}`)), 90_000);
    const onData = (b: Buffer) => {
      log += b;
      const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (c) => reject(new Error(`code-server exited ${c}:\n${log}`)));
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { process: child, port, log: () => log, stop };
}
