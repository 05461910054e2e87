// Rules of the house that no type checker enforces: the core runs without VS Code, only the run
// assembly makes scorers, and the core's folders are layers (an import never runs back up).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = join(__dirname, '../..');
const CORE = join(ROOT, 'extension/core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The core's part a file belongs to: its folder under core/, or the file itself at the top. */
function partOf(file: string): string {
  const rel = relative(CORE, file);
  return rel.includes('/') ? rel.split('/')[0]! : rel.replace(/\.ts$/, '');
}

describe('the house rules', () => {
  test('nothing under extension/core imports vscode, and core imports nothing outside itself but packages', () => {
    const core = join(ROOT, 'extension/core');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(core);
    assert.ok(files.length > 30);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const specifiers = [...text.matchAll(/(?:from|import\(|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const s of specifiers) {
        assert.notEqual(s, 'vscode', `${relative(ROOT, f)} imports vscode`);
        if (s.startsWith('.')) assert.ok(!relative(core, join(f, '..', s)).startsWith('..'), `${relative(ROOT, f)} imports ${s}, outside the core`);
      }
    }
  });

  test('outside the core, only the run assembly creates scorers', () => {
    const outside = [...sourceFiles(join(ROOT, 'extension/vscode')), ...sourceFiles(join(ROOT, 'extension/cli'))].map((f) => relative(ROOT, f));
    assert.ok(outside.length > 20);
    for (const f of outside) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      assert.doesNotMatch(text, /core\/model\/scorers\/|core\/model\/families\/(vllm|sglang|tgi|chat)|new \w+Scorer\(/, `${f} reaches into the scorers itself`);
    }
  });

  test("the core's folders are layers: the imports that run between them form no cycle", () => {
    const edges = new Map<string, Set<string>>();
    const seen = new Map<string, string>();
    for (const file of sourceFiles(CORE)) {
      const text = readFileSync(file, 'utf8');
      // `import type` is erased: it ties no module to another at run time
      for (const m of text.matchAll(/^(?:import|export) (?!type\b)[^;]*?from '(\.[^']+)'/gm)) {
        const target = join(dirname(file), m[1]!);
        const [from, to] = [partOf(file), partOf(statSync(target, { throwIfNoEntry: false })?.isDirectory() ? join(target, 'index.ts') : `${target}.ts`)];
        if (from === to) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
        seen.set(`${from}>${to}`, relative(CORE, file));
      }
    }
    // peel off the parts that import no other part left, layer by layer: what remains is a cycle
    const left = new Set([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
    const layers: string[][] = [];
    while (left.size) {
      const layer = [...left].filter((p) => ![...(edges.get(p) ?? [])].some((q) => left.has(q)));
      if (layer.length === 0) {
        const cycle = [...left].flatMap((p) => [...(edges.get(p) ?? [])].filter((q) => left.has(q)).map((q) => `${p} -> ${q} (${seen.get(`${p}>${q}`)})`));
        assert.fail(`imports run back up:\n${cycle.join('\n')}`);
      }
      layers.push(layer.sort());
      for (const p of layer) left.delete(p);
    }
    assert.ok(layers.length >= 5, layers.map((l) => l.join(' ')).join(' < '));
  });
});
