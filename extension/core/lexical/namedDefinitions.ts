// The definitions a question names, in a file: "Where is settle defined?" -> `settle` (method,
// line 42) in the file that defines it. From the file's syntax tree where its grammar is loaded
// (structure/), else from the declaration patterns, line by line.
import { declaredName } from './declarations';
import { codeNames, DEFINITION_QUESTION } from './priors';
import { definitionsOf, type Definition } from '../structure/definitions';
import { ownString } from '../ownString';

const IDENTIFIER = /[A-Za-z_$][\w$]*/g;
/**
 * The words of a question that asks where something is defined which are not what it asks about:
 * "Where is settle defined, and what does it return?" names `settle` alone. Without them, nearly
 * every file holds a name ("where", "the") and the listed files were all parsed for nothing.
 */
const QUESTION_WORDS = new Set(
  (
    'about also and any are been but can could did does doing each for from had has have here how into its may might must not ' +
    'such than that the their them then there these they this those was were what when where which while who whom whose why ' +
    'will with would should shall you your ' +
    'class classes function functions method methods return returns returned type types variable constant called named ' +
    'define defined defines definition definitions declare declared declares declaration declarations ' +
    'implement implemented implements implementation implementations'
  ).split(' '),
);
const ASCII_NAME = /^[\x20-\x7e]+$/;

/**
 * The names a question asks about, lower-cased: those it writes as code (`settleAccount`,
 * `parse_args`, `run()`, backticks: priors.ts's `codeNames`), and, when it asks where something is
 * defined, its identifiers but the question's own words ("Where is settle defined?" names
 * `settle`). A question in plain words names none: its words are not definitions to list, and the
 * files are not parsed for them.
 */
export function namedIdentifiers(question: string): Set<string> {
  const names = codeNames(question);
  if (DEFINITION_QUESTION.test(question))
    for (const w of question.match(IDENTIFIER) ?? []) if (w.length > 2 && !QUESTION_WORDS.has(w.toLowerCase())) names.add(w.toLowerCase());
  return names;
}

/** The file's definitions whose name the question names, in line order. */
export function namedDefinitions(file: { path: string; text: string }, named: ReadonlySet<string>): Definition[] {
  if (!holdsNamed(file, named)) return [];
  const all =
    parsedDefinitions(file) ??
    file.text.split('\n').flatMap((line, i): Definition[] => {
      const name = line.length < 400 ? declaredName(line) : undefined;
      return name ? [{ name, kind: 'declaration', line: i + 1 }] : [];
    });
  return all.filter((d) => named.has(d.name.toLowerCase()));
}

/**
 * Whether the file may hold a definition of one of the names. A file that holds none of the names
 * (ASCII names: a name is a piece of the text, and its lower case a piece of the text's) defines
 * none: it is not parsed (a question's 50 files cost 0.9 s to parse).
 */
function holdsNamed(file: { text: string }, named: ReadonlySet<string>): boolean {
  if (named.size === 0) return false;
  if (![...named].every((n) => ASCII_NAME.test(n))) return true;
  const lower = file.text.toLowerCase();
  return [...named].some((n) => lower.includes(n));
}

/** Whether `namedDefinitions` would parse this file (it may hold a name and was not parsed before): the files to read ahead. */
export function mayDefineNamed(file: { path: string; text: string }, named: ReadonlySet<string>): boolean {
  return !parsed.has(file) && holdsNamed(file, named);
}

/**
 * A file's definitions from its syntax tree, parsed once per file object: a long-lived host hands
 * the same object while the file is unchanged, so the files a conversation keeps coming back to
 * are not parsed at every question.
 */
const parsed = new WeakMap<object, Definition[]>();
function parsedDefinitions(file: { path: string; text: string }): Definition[] | undefined {
  const kept = parsed.get(file);
  if (kept) return kept;
  // kept while the file is: names of their own, not views on the file's text (which is let go)
  const definitions = definitionsOf(file.path, file.text)?.map((d) => ({ ...d, name: ownString(d.name) }));
  if (definitions) parsed.set(file, definitions);
  return definitions;
}
