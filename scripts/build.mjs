// Bundles the CLI, the extension host and the webview with esbuild; copies tiktoken's WASM next to
// the Node bundles, where tiktoken looks for it (`__dirname/tiktoken_bg.wasm`), and tree-sitter's
// runtime and the grammars of the languages whose structure is read (`dist/grammars/`), where
// extension/core/structure/definitions.ts looks for them first.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, chmodSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
mkdirSync('dist', { recursive: true });
copyFileSync(join(dirname(require.resolve('tiktoken')), 'tiktoken_bg.wasm'), 'dist/tiktoken_bg.wasm');
copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), 'dist/tree-sitter.wasm');
mkdirSync('dist/grammars', { recursive: true });
// the grammars named in the language table (its `grammar: '...'` entries), nothing else of the 36
const grammars = [...readFileSync('extension/core/structure/languages.ts', 'utf8').matchAll(/grammar: '([a-z_]+)'/g)].map((m) => m[1]);
for (const g of grammars)
  copyFileSync(join(dirname(require.resolve('tree-sitter-wasms/package.json')), 'out', `tree-sitter-${g}.wasm`), `dist/grammars/tree-sitter-${g}.wasm`);

const node = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: !production, minify: production, logLevel: 'warning' };
const builds = [
  // the command's entry, which hands a question to the repository's server loading little, and the rest of the CLI
  { ...node, entryPoints: ['extension/cli/launch.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['extension/cli/main.ts'], outfile: 'dist/cliMain.js' },
  // the child process that runs a local GGUF model (node-llama-cpp stays outside the bundle)
  { ...node, entryPoints: ['extension/core/model/local/localModelWorker.ts'], outfile: 'dist/localModelWorker.js' },
  // the child process that reads syntax trees (structure/structureProcess.ts)
  { ...node, entryPoints: ['extension/core/structure/structureWorker.ts'], outfile: 'dist/structureWorker.js' },
  // the worker threads that tokenize on every core
  { ...node, entryPoints: ['extension/core/tokens/tokenizerWorker.ts'], outfile: 'dist/tokenizerWorker.js' },
];
if (existsSync('extension/vscode/main.ts'))
  builds.push({ ...node, entryPoints: ['extension/vscode/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] });
if (existsSync('webview/main.ts')) {
  builds.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: ['webview/main.ts'],
    outfile: 'media/webview.js',
    sourcemap: false,
    minify: production,
    logLevel: 'warning',
  });
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
