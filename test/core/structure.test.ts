// "Where is X defined?" in twelve languages: the file that defines X (a Go method with a receiver,
// a Rust `impl` method, Java and C# methods with a return type, a C++ out-of-line member, a Ruby
// `def self.x`, ...) ranks above two files that only call it, more often, and says which definition
// matched and on which line. Definitions come from tree-sitter's syntax trees.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import { namedIdentifiers } from '../../extension/core/lexical/namedDefinitions';
import { definitionsOf, prepareStructure } from '../../extension/core/structure/definitions';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { tempRepo } from '../support/tempRepo';
import { CASES } from '../support/structureCases';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

const QUESTION = 'Where is settleAccount defined, and what does it return?';

describe('where is X defined, in twelve languages', () => {
  for (const c of CASES) {
    test(`${c.language}: the definer first, with its definition and line`, async () => {
      const caller = (name: string) => `// ${name}: pays what is owed\n${Array.from({ length: 4 }, () => c.call).join('\n')}\n`;
      const repo = tempRepo({
        [`src/ledger.${c.ext}`]: c.definer,
        [`src/billing.${c.ext}`]: caller('billing'),
        [`src/checkout.${c.ext}`]: caller('checkout'),
      });
      try {
        const result = await ask({ question: QUESTION, roots: [{ path: repo.root, name: 'repo' }] }, { fs: nodeFileSystem, tokenizer });
        assert.equal(result.files[0]!.path, `src/ledger.${c.ext}`);
        assert.deepEqual(result.files[0]!.definitions, [{ name: 'settleAccount', kind: c.kind, line: c.line }]);
        assert.equal(result.files[1]!.definitions, undefined, 'a caller defines nothing');
      } finally {
        repo.dispose();
      }
    });
  }

  test('the syntax tree, not the line patterns: a definition over several lines, a name in a comment or a string', async () => {
    await prepareStructure(['a.go', 'a.py']);
    assert.deepEqual(definitionsOf('a.go', '// func fake() {}\nfunc (\n\tl *Ledger,\n) real() {}\nvar s = "func alsoFake() {}"\n'), [
      { name: 'real', kind: 'method', line: 2 },
    ]);
    assert.deepEqual(definitionsOf('a.py', '"""\ndef fake():\n"""\nclass A:\n    async def run(self):\n        pass\n'), [
      { name: 'A', kind: 'class', line: 4 },
      { name: 'run', kind: 'method', line: 5 },
    ]);
    assert.equal(definitionsOf('notes.txt', 'def fake():'), undefined, 'no grammar: the patterns apply');
  });

  test('the names a question asks about: those written as code, and the identifiers of a "where is it defined" question but its own words; none in plain words', () => {
    assert.deepEqual([...namedIdentifiers('How does vite resolve the css preprocessor options for sass?')], [], 'plain words name nothing');
    assert.deepEqual([...namedIdentifiers('Why does resolveOptions() drop `css.preprocessorOptions`?')].sort(), [
      'css',
      'preprocessoroptions',
      'resolveoptions',
    ]);
    assert.deepEqual([...namedIdentifiers('Where is settle defined, and what does it return?')], ['settle']);
    assert.deepEqual([...namedIdentifiers('Where is the function that formats markdown tables defined?')], ['formats', 'markdown', 'tables']);
  });
});
