// The definitions a question names, in a file: "Where is settle defined?" -> `settle` (method,
// line 42) in the file that defines it. From the file's syntax tree where its grammar is loaded
// (structure/), else from the declaration patterns, line by line.
import { declaredName } from './declarations';
import { definitionsOf, type Definition } from '../structure/definitions';

const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

/** The identifiers a question names, lower-cased (`Ledger::settle` names both). */
export function namedIdentifiers(question: string): Set<string> {
  return new Set((question.match(IDENTIFIER) ?? []).filter((w) => w.length > 2).map((w) => w.toLowerCase()));
}

/** The file's definitions whose name the question names, in line order. */
export function namedDefinitions(file: { path: string; text: string }, named: ReadonlySet<string>): Definition[] {
  if (named.size === 0) return [];
  const all =
    definitionsOf(file.path, file.text) ??
    file.text.split('\n').flatMap((line, i): Definition[] => {
      const name = line.length < 400 ? declaredName(line) : undefined;
      return name ? [{ name, kind: 'declaration', line: i + 1 }] : [];
    });
  return all.filter((d) => named.has(d.name.toLowerCase()));
}
