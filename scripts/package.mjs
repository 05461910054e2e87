// `npm run package`: a .vsix for this platform (its target is set, as the Marketplace expects for
// native code): the production bundles, plus node-llama-cpp and this platform's llama.cpp binaries
// for xl3m.localModel.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const run = (script, ...args) => execFileSync(process.execPath, [script, ...args], { stdio: 'inherit' });
const target = `${process.platform}-${process.arch === 'arm' ? 'armhf' : process.arch}`;
run('scripts/build.mjs', '--production');
run('scripts/stageLocalRuntime.mjs');
run(
  join(require.resolve('@vscode/vsce/package.json'), '../vsce'),
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  // the Marketplace page is for people who install it; README.md is for people who build it
  '--readme-path',
  'media/marketplace-readme.md',
  '--target',
  target,
  '-o',
  'xl3m.vsix',
);
