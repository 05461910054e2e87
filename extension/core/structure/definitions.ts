// What a file defines, read from its syntax tree: each definition's name, kind and line. Tree-sitter
// (web-tree-sitter, WASM: no native build, the same in the CLI and VS Code's extension host) with
// the prebuilt grammars of `tree-sitter-wasms`; the grammars a run needs are loaded once, before its
// files are analysed, so that reading a file's definitions is synchronous (lexical/wordIndex.ts
// calls it while it reads each file once).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
// its CommonJS build: the ES module one reads `import.meta.url`, which a CommonJS bundle (dist/) has not
import type * as TreeSitterApi from 'web-tree-sitter';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TreeSitter = require('web-tree-sitter') as typeof TreeSitterApi;
type Language = TreeSitterApi.Language;
type Node = TreeSitterApi.Node;
const { Language, Parser } = TreeSitter;
import { CLASS_LIKE, languageOf, LANGUAGES, type DefinitionKind, type LanguageSpec } from './languages';

export interface Definition {
  name: string;
  kind: DefinitionKind;
  /** 1-based. */
  line: number;
}

/** A file larger than this is not parsed (a generated or minified file would take long and say little): its declarations come from the patterns. */
export const MAX_PARSED_CHARS = 512 * 1024;

/**
 * Definitions read ahead in the structure process (`parseAhead.ts`), by path, until the file is
 * analysed; null: its syntax is not read. By path alone: a process ranks one question at a time
 * (every host queues its runs).
 */
const parsedAhead = new Map<string, { text: string; definitions: Definition[] | null }>();

/** Keeps a file's definitions read elsewhere, for `definitionsOf` on the same text. */
export function keepParsedAhead(filePath: string, text: string, definitions: Definition[] | null): void {
  parsedAhead.set(filePath, { text, definitions });
}

/** Drops what was read ahead for these files and not taken (a cancelled ranking). */
export function dropParsedAhead(paths: Iterable<string>): void {
  for (const p of paths) parsedAhead.delete(p);
}

let runtime: Promise<void> | undefined;
const grammars = new Map<string, Promise<Language | undefined>>();
const loaded = new Map<string, Language>();
let parser: TreeSitterApi.Parser | undefined;
/** The grammar loading last begun: the next waits for it. */
let loading: Promise<unknown> = Promise.resolve();

/** A package file's path, resolved at run time (under tests from source; a bundle finds its own copies first). */
const resolveInstalled = (id: string) => require.resolve(id);

/** The first of these that exists: next to the bundle (dist/, the .vsix), else in node_modules (tests run from source). */
function firstExisting(candidates: (() => string)[]): string | undefined {
  for (const candidate of candidates) {
    try {
      const p = candidate();
      if (existsSync(p)) return p;
    } catch {
      // not resolvable here
    }
  }
  return undefined;
}

function grammarFile(grammar: string): string | undefined {
  const name = `tree-sitter-${grammar}.wasm`;
  return firstExisting([
    () => path.join(__dirname, 'grammars', name),
    () => path.join(path.dirname(resolveInstalled('tree-sitter-wasms/package.json')), 'out', name),
  ]);
}

function startRuntime(): Promise<void> {
  runtime ??= (async () => {
    const wasm = firstExisting([() => path.join(__dirname, 'tree-sitter.wasm'), () => resolveInstalled('web-tree-sitter/tree-sitter.wasm')]);
    await Parser.init(wasm ? { locateFile: () => wasm } : undefined);
    parser = new Parser();
  })();
  return runtime;
}

/**
 * Loads the grammars of these files' languages (once per process). A grammar that cannot be loaded
 * leaves its files to the declaration patterns; said once in the returned problems.
 */
export async function prepareStructure(paths: Iterable<string>): Promise<string[]> {
  const needed = new Set<LanguageSpec>();
  for (const p of paths) {
    const language = languageOf(p);
    if (language && !loaded.has(language.grammar)) needed.add(language);
  }
  if (needed.size === 0) return [];
  const problems: string[] = [];
  try {
    await startRuntime();
  } catch (err) {
    return [`tree-sitter could not start (${(err as Error).message}): declarations come from patterns`];
  }
  // one at a time: web-tree-sitter's loader mixes two grammars' symbols when they load at once
  for (const language of needed) {
    let pending = grammars.get(language.grammar);
    if (!pending) {
      pending = loading.then(async () => {
        const file = grammarFile(language.grammar);
        if (!file) throw new Error('its grammar file is missing');
        return Language.load(file);
      });
      pending = pending.catch((err: Error) => {
        problems.push(`the ${language.grammar} grammar could not be loaded (${err.message}): its files' declarations come from patterns`);
        return undefined;
      });
      loading = pending;
      grammars.set(language.grammar, pending);
    }
    const grammar = await pending;
    if (grammar) loaded.set(language.grammar, grammar);
  }
  return problems;
}

/** Whether the ranking reads this file's definitions from its syntax tree (its language's `ranked`), rather than from the line patterns. */
export function rankedByStructure(filePath: string): boolean {
  return languageOf(filePath)?.ranked ?? false;
}

/** Whether `definitionsOf` reads this file's syntax (its grammar is loaded and the file not too large). */
export function parsesStructure(filePath: string, text: string): boolean {
  const language = languageOf(filePath);
  return language !== undefined && loaded.has(language.grammar) && parser !== undefined && text.length <= MAX_PARSED_CHARS;
}

/** The file's definitions in line order; undefined where its syntax is not read (then the patterns apply). */
export function definitionsOf(filePath: string, text: string): Definition[] | undefined {
  const ahead = parsedAhead.get(filePath);
  if (ahead && ahead.text === text) {
    parsedAhead.delete(filePath);
    return ahead.definitions ?? undefined;
  }
  if (!parsesStructure(filePath, text)) return undefined;
  const language = languageOf(filePath)!;
  parser!.setLanguage(loaded.get(language.grammar)!);
  const tree = parser!.parse(text);
  if (!tree) return undefined;
  try {
    const out: Definition[] = [];
    const cursor = tree.walk();
    const classDepth: number[] = [];
    let depth = 0;
    // a depth-first walk with the cursor (no node objects but for the definitions)
    for (;;) {
      const type = cursor.nodeType;
      const kind = language.definitions[type];
      if (kind) {
        const node = cursor.currentNode;
        const name = nameOf(node, type);
        if (name && name !== 'constructor') {
          const inClass = classDepth.length > 0 && (kind === 'function' || kind === 'method');
          out.push({ name, kind: inClass && kind === 'function' && type !== 'variable_declarator' ? 'method' : kind, line: node.startPosition.row + 1 });
        }
      }
      if (depth > 0 && CLASS_LIKE.has(type)) classDepth.push(depth); // not the root (Python calls its root `module`)
      if (cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      for (;;) {
        if (classDepth.at(-1) === depth) classDepth.pop();
        if (cursor.gotoNextSibling()) break;
        if (!cursor.gotoParent()) {
          cursor.delete();
          return out.sort((a, b) => a.line - b.line);
        }
        depth--;
      }
    }
  } finally {
    tree.delete();
  }
}

const NAME_TYPES =
  /^(identifier|type_identifier|field_identifier|simple_identifier|property_identifier|constant|name|namespace_identifier|destructor_name|operator_name)$/;

/** The name a definition node gives: its `name` field, a C declarator's innermost name, or (grammars without fields) its first identifier. */
function nameOf(node: Node, type: string): string | undefined {
  if (type === 'variable_declarator') {
    // only a variable that holds a function defines one
    const value = node.childForFieldName('value');
    if (!value || !/^(arrow_function|function|function_expression|generator_function)$/.test(value.type)) return undefined;
  }
  const named = node.childForFieldName('name');
  if (named) return lastName(named);
  const declarator = node.childForFieldName('declarator');
  if (declarator) return declaratorName(declarator);
  for (const child of node.namedChildren) if (child && NAME_TYPES.test(child.type)) return child.text;
  return undefined;
}

/** `Ledger::settle` -> `settle`; `a.b.C` -> `C`. */
function lastName(node: Node): string {
  if (node.type === 'qualified_identifier' || node.type === 'scoped_identifier') {
    const inner = node.childForFieldName('name');
    if (inner) return lastName(inner);
  }
  return node.text;
}

function declaratorName(node: Node | null): string | undefined {
  for (let d = node, steps = 0; d && steps < 8; steps++) {
    if (NAME_TYPES.test(d.type)) return d.text;
    if (d.type === 'qualified_identifier') return lastName(d);
    d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c !== null && (NAME_TYPES.test(c.type) || c.type.endsWith('declarator'))) ?? null;
  }
  return undefined;
}

/** Every language whose structure is read, for documentation and tests. */
export const STRUCTURE_LANGUAGES = LANGUAGES.map((l) => l.grammar);
