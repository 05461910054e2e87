// What multiplies a file's lexical score besides its words: named priors, in the manner of
// MiniSearch's boostDocument. Each looks at the file (its path and kind) and at what the question
// says of files (paths it names, folders it names, whether it asks about docs or changelogs).
// A new signal is one entry; rankLab switches each off by name (LexicalParams.priors).
import type { FileKind } from '../files/fileKind';
import type { LexicalParams } from './lexicalRanking';

const ECHO =
  /(^|\/)(changelog|changes|history|news|release[-_ ]?notes?|releases?|whatsnew)[^/]*$|(^|\/)(changelog[^/]*|\.changeset|changes|release[-_]?notes|whatsnew)\/|(^|\/)\.github\/(issue_template|pull_request_template)/i;

const ECHO_QUESTION = /\b(change ?logs?|release notes?|templates?)\b/i;
/** A question that asks where something is defined (or declared, or implemented). */
export const DEFINITION_QUESTION = /\b(defin(e|ed|es|ition|itions)|declar(e|ed|es|ation|ations)|implement(ed|s|ation|ations)?)\b/i;
const DOC_QUESTION = /\b(docs?|documentation|docstrings?|readme|tutorials?|typos?|changelog|sphinx)\b/i;
/** Paths and dotted module names in the question, normalised to `/`-separated lower-case forms. */
export function mentionedPaths(question: string): Set<string> {
  const out = new Set<string>();
  for (const raw of question.match(/[\w$@.\\/-]*[\w$][./\\][\w$@.\\/-]*[\w$]/g) ?? []) {
    const s = raw.replace(/\\/g, '/').toLowerCase();
    if (s.includes('/')) out.add(s.replace(/^[./]+/, ''));
    else if (/^[a-z_$][\w$]*(\.[a-z_$][\w$]*)+$/.test(s)) {
      out.add(s); // `ccode.py`, `utils.ts`
      out.add(s.replace(/\./g, '/')); // `sympy.printing.ccode` -> `sympy/printing/ccode`
    }
  }
  return out;
}

/**
 * The names the question gives as code, lower-cased: written as code (camelCase, snake_case, with a
 * digit), called (`settle(`), reached (`.settle`, `::settle`) or quoted in backticks. A plain word
 * ("parse") names no definition: a question's prose is not a symbol.
 */
export function codeNames(question: string): Set<string> {
  const out = new Set<string>();
  const add = (name: string) => {
    if (name.length > 2) out.add(name.toLowerCase());
  };
  for (const m of question.matchAll(/`([^`\n]{1,200})`/g)) for (const name of m[1]!.match(/[A-Za-z_$][\w$]*/g) ?? []) add(name);
  for (const m of question.matchAll(/(?<![\w$])([A-Za-z_$][\w$]*)/g)) {
    const name = m[1]!;
    const before = question.slice(Math.max(0, m.index! - 2), m.index);
    const after = question[m.index! + name.length];
    if (/[a-z][A-Z]|_|\d/.test(name) || after === '(' || before.endsWith('.') || before === '::') add(name);
  }
  return out;
}

/** Compound names in the question (`compiler-core`, `language_css`) that could name a folder. */
function namedFolders(question: string): Set<string> {
  return new Set((question.match(/[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+/g) ?? []).map((s) => s.toLowerCase()));
}

function inNamedFolder(path: string, folders: ReadonlySet<string>): boolean {
  const parts = path.toLowerCase().split('/');
  for (let i = 0; i < parts.length - 1; i++) if (folders.has(parts[i]!)) return true;
  return false;
}

const CODE_EXTENSION = /\.[a-z0-9]+$/i;

/** Does the question name this file: a mention whose end is the file's path (or its module path) from a `/` boundary, with at least a folder or an extension to go by? */
function isMentioned(path: string, mentions: ReadonlySet<string>): boolean {
  if (mentions.size === 0) return false;
  const lower = path.toLowerCase();
  const noExt = lower.replace(CODE_EXTENSION, '');
  const forms = [lower, noExt];
  if (/\/(__init__|index)$/.test(noExt)) forms.push(noExt.slice(0, noExt.lastIndexOf('/')));
  const name = lower.slice(lower.lastIndexOf('/') + 1);
  const generic = /^(__init__|index|main|setup|utils?|core|base|common|types?|constants?|config)\.\w+$/.test(name);
  for (const m of mentions) {
    for (const f of forms) {
      if (!f) continue;
      // the mention ends with the file's path (a traceback's absolute path), or the file's path ends with the mention
      const [longer, shorter] = m.length >= f.length ? [m, f] : [f, m];
      if (!longer.endsWith(shorter)) continue;
      if (longer.length !== shorter.length && longer[longer.length - shorter.length - 1] !== '/') continue;
      if (shorter.includes('/') ? shorter.split('/').length >= 2 : CODE_EXTENSION.test(shorter) && !generic && shorter === name) return true;
    }
  }
  return false;
}

/** What the question says of files, read once per question. */
export interface QuestionHints {
  mentions: Set<string>;
  folders: Set<string>;
  docsWanted: boolean;
  /** The echo prior for this question (1 when it asks about changelogs or templates). */
  echoPrior: number;
  /** The question asks where something is defined: a definer is lifted more. */
  definitionAsked: boolean;
}

export function questionHints(question: string, params: LexicalParams): QuestionHints {
  return {
    mentions: mentionedPaths(question),
    folders: namedFolders(question),
    docsWanted: DOC_QUESTION.test(params.docsFromTitle ? question.trimStart().split('\n', 1)[0]! : question),
    echoPrior: ECHO_QUESTION.test(question) ? 1 : params.echoPrior,
    definitionAsked: DEFINITION_QUESTION.test(question),
  };
}

export interface LexicalPrior {
  name: string;
  /** The factor for this file (1: no effect). */
  factor(
    file: { path: string; kind: FileKind; mentioned: boolean; definesNamed: boolean; raises: number; innermostFrame: boolean },
    hints: QuestionHints,
    params: LexicalParams,
  ): number;
}

/** Applied in this order (a factor of exactly 1 leaves the score as it was). */
export const PRIORS: readonly LexicalPrior[] = [
  // a file the question names: a traceback frame, a module path, its file name
  { name: 'mentioned', factor: (f, _h, p) => (f.mentioned ? p.mentionBoost : 1) },
  // the file of a pasted traceback's innermost frame that is a file of the repository: where the error was raised
  { name: 'innermostFrame', factor: (f, _h, p) => (f.innermostFrame ? p.innermostFrameBoost : 1) },
  // a file that defines a name the question gives as code (`settleAccount`, `parse(`): above the files that only use it
  // (more when the question asks where a thing is defined, declared or implemented)
  { name: 'definesNamed', factor: (f, h, p) => (f.definesNamed ? (h.definitionAsked ? p.definitionAskedBoost : p.definerBoost) : 1) },
  // a file that holds an error message the question quotes, words in order: the one that raises it
  { name: 'raisesQuoted', factor: (f, _h, p) => (f.raises >= p.raiserShare ? p.raiserBoost : 1) },
  // a file under a folder the question names by a compound name (`runtime-core`, `language_css`)
  { name: 'namedFolder', factor: (f, h, p) => (h.folders.size > 0 && inNamedFolder(f.path, h.folders) ? p.folderBoost : 1) },
  // source over tests, docs (unless asked about) and config; changelogs and templates, which echo every issue's words, lowest
  { name: 'standing', factor: (f, h, p) => (f.kind === 'docs' && h.docsWanted ? 1 : p.kindPrior[f.kind]) * (ECHO.test(f.path) ? h.echoPrior : 1) },
];

export { isMentioned };
