import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileKind } from '../../extension/core/files/fileKind';
import { declaredName, DEFAULT_LEXICAL_PARAMS, mentionedPaths, rankFilesLexically, stem } from '../../extension/core/lexical/lexicalRanking';
import { codeNames, PRIORS } from '../../extension/core/lexical/priors';
import { resolverFor } from '../../extension/core/structure/imports';
import { quotedErrorMessages } from '../../extension/core/lexical/quotedErrors';
import { tracebackFrames } from '../../extension/core/lexical/tracebacks';
import { LexicalIndex } from '../../extension/core/lexical/wordIndex';

const filler = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}_value_${i} = compute(${i})`).join('\n');
const ranked2 = (files: { path: string; text: string }[], question: string, params: Partial<typeof DEFAULT_LEXICAL_PARAMS> = {}) => {
  const { files: ev } = rankFilesLexically(files, question, { ...DEFAULT_LEXICAL_PARAMS, ...params });
  return files.map((f, i) => ({ path: f.path, ...ev[i]! })).sort((a, b) => b.score - a.score);
};
const ranked = (files: { path: string; text: string }[], question: string) => ranked2(files, question);

describe('file kinds', () => {
  test('source, test, docs, config, generated and other, by path', () => {
    const cases: [string, string][] = [
      ['sympy/printing/ccode.py', 'source'],
      ['src/compiler/parse.ts', 'source'],
      ['sympy/printing/tests/test_ccode.py', 'test'],
      ['packages/core/src/__tests__/render.spec.ts', 'test'],
      ['lib/util_test.go', 'test'],
      ['CHANGELOG.md', 'docs'],
      ['doc/src/modules/printing.rst', 'docs'],
      ['.github/ISSUE_TEMPLATE/bug_report.md', 'docs'],
      ['README', 'docs'],
      ['package.json', 'config'],
      ['setup.cfg', 'config'],
      ['Makefile', 'config'],
      ['vitest.config.ts', 'config'],
      ['types/index.d.ts', 'generated'],
      ['dist/bundle.js', 'generated'],
      ['examples/advanced/demo.py', 'other'],
      ['data/table.csv', 'other'],
    ];
    for (const [path, kind] of cases) assert.equal(fileKind(path), kind, path);
  });
});

describe("a file's words", () => {
  test('are the runs of letters, numbers and underscores of any script, as the pattern [\\p{L}\\p{N}_]+ finds them, line by line', () => {
    const text = ['const snake_case_name = __init__(café, naïve); // e\u0301té', '𝐀𝐁c x\ud800y \udc00z 😀emoji😀 日本語テキスト ٣٤٥ Ω-ω', '', 'tail42 _'].join(
      '\n',
    );
    const index = new LexicalIndex();
    const w = index.wordsOf({ path: 'src/odd.ts', text });
    const found = Array.from(w.words, (id) => index.vocabulary.words[id]);
    assert.deepEqual(found, text.match(/[\p{L}\p{N}_]+/gu));
    const perLine = text.split('\n').map((line) => (line.match(/[\p{L}\p{N}_]+/gu) ?? []).length);
    assert.deepEqual(
      perLine.map((_, i) => w.lineStarts[i + 1]! - w.lineStarts[i]!),
      perLine,
    );
  });
});

describe('lexical ranking', () => {
  test('every file gets its own score: two small files with the same neighbourhood do not tie', () => {
    const files = [
      { path: 'src/cache.py', text: 'def evict(cache):\n    return cache.pop_oldest()\n' },
      { path: 'src/cache_policy.py', text: 'def evict(cache, policy):\n    # eviction policy: least recently used\n    return policy.pick(cache)\n' },
      { path: 'src/empty.py', text: '' },
    ];
    const r = ranked(files, 'How does the cache eviction policy pick what to evict?');
    assert.equal(r[0]!.path, 'src/cache_policy.py');
    assert.notEqual(r[0]!.score, r[1]!.score);
    assert.equal(r.find((f) => f.path === 'src/empty.py')!.score, 0);
  });

  test('a file that declares a name the question uses beats files that only call it', () => {
    const callers = Array.from({ length: 6 }, (_, i) => ({
      path: `pkg/user${i}.py`,
      text: `from pkg.printing import ccode\n\nprint(ccode(x${i}))\n${filler('u', 20)}`,
    }));
    const others = Array.from({ length: 30 }, (_, i) => ({ path: `pkg/other${i}.py`, text: filler(`o${i}`, 25) }));
    const files = [
      ...others,
      ...callers,
      { path: 'pkg/printing/c.py', text: `class CCodePrinter:\n    pass\n\ndef ccode(expr):\n    return CCodePrinter().doprint(expr)\n${filler('c', 40)}` },
    ];
    assert.equal(ranked(files, 'ccode(sinc(x)) does not work')[0]!.path, 'pkg/printing/c.py');
  });

  test('a big file whose evidence is spread over its parts is not drowned by its length', () => {
    const big = [
      'def retry_request(): pass',
      filler('a', 400),
      'backoff = exponential_backoff(jitter)',
      filler('b', 400),
      'rate_limit_headers = read_retry_after()',
    ].join('\n');
    const files = [
      { path: 'src/client/retries.py', text: big },
      { path: 'src/notes.py', text: `# retry\n${filler('n', 10)}` },
      ...Array.from({ length: 20 }, (_, i) => ({ path: `src/other${i}.py`, text: filler(`o${i}`, 30) })),
    ];
    const r = ranked(files, 'retry with exponential backoff and jitter honouring the retry after header of a rate limit');
    assert.equal(r[0]!.path, 'src/client/retries.py');
    assert.ok(r[0]!.ranges.length >= 2, `its best parts are given as ranges: ${JSON.stringify(r[0]!.ranges)}`);
    assert.ok(r[0]!.ranges.every((x) => x.start >= 1 && x.end <= 803 && x.start <= x.end));
  });

  test('source is preferred over changelogs and templates for a question about behaviour; docs still win a question about docs', () => {
    const files = [
      { path: 'CHANGELOG.md', text: '## 1.2\n- fixed: the parser crashes on an empty string input\n- parser: empty string\n' },
      { path: '.github/ISSUE_TEMPLATE/bug.md', text: 'Thanks for submitting a bug. Version? Steps to reproduce?' },
      {
        path: 'src/parser.ts',
        text: '// The parser: reads an input string.\nexport function parse(input: string) {\n  if (input.length === 0) throw new Error("empty string");\n}\n',
      },
      { path: 'docs/parser.md', text: '# The parser\nThe parse function reads an input string. Its documentation lives here.\n' },
    ];
    assert.equal(ranked(files, 'The parser crashes on an empty string. Thanks! Version 1.2')[0]!.path, 'src/parser.ts');
    assert.equal(ranked(files, 'The documentation of the parser: where are the docs for the parse function input string?')[0]!.path, 'docs/parser.md');
  });

  test("documentation wins only when the question's first line asks about it; changelogs and templates stay low even then", () => {
    const files = [
      {
        path: 'src/parse/tag.js',
        text: 'export function read_const_tag(parser) {\n  // the declarator end must include the closing parenthesis\n  const end = parser.index;\n}\n',
      },
      {
        path: 'CONTRIBUTING.md',
        text: '# Contributing\nBefore submitting the PR, please make sure you do the following: documentation, tests, changeset. Prefix the title with fix: or feat:.\n',
      },
      {
        path: '.github/PULL_REQUEST_TEMPLATE.md',
        text: '### Before submitting the PR, please make sure you do the following\n- [ ] documentation\n- [ ] tests\n- [ ] changeset\n',
      },
      { path: 'docs/const.md', text: '# const tags\nThe {@const} tag declares a value; its documentation is here.\n' },
    ];
    // a fix whose message carries the pull-request template's checklist
    const fix =
      'fix: include wrapping parentheses in const declarator end\n\nThe declarator end fell before the closing parenthesis.\n\n### Before submitting the PR, please make sure you do the following\n- [x] documentation\n- [x] tests\n';
    const order = ranked(files, fix).map((f) => f.path);
    assert.equal(order[0], 'src/parse/tag.js', order.join(', '));
    const docs = ranked(files, 'docs: document the const tag and its declarator').map((f) => f.path);
    assert.equal(docs[0], 'docs/const.md', docs.join(', '));
    assert.ok(docs.indexOf('.github/PULL_REQUEST_TEMPLATE.md') > docs.indexOf('docs/const.md'), 'a template stays below the docs');
  });

  test('a folder the question names by a compound name (a package, a language) lifts the files under it', () => {
    const body = 'export function transform(node) {\n  // keep the lifecycle of the vnode in a stable loop\n  return node;\n}\n';
    const files = [
      { path: 'packages/runtime-core/src/loop.ts', text: body },
      { path: 'packages/compiler-core/src/loop.ts', text: body },
    ];
    assert.equal(ranked(files, 'fix(compiler-core): preserve vnode lifecycle in stable loop')[0]!.path, 'packages/compiler-core/src/loop.ts');
    assert.equal(ranked(files, 'fix(runtime-core): preserve vnode lifecycle in stable loop')[0]!.path, 'packages/runtime-core/src/loop.ts');
  });

  test('a file named in a traceback or by its module path is lifted', () => {
    const files = [
      { path: 'sympy/core/basic.py', text: `def subs(self): pass\n${filler('b', 50)}` },
      { path: 'sympy/printing/latex.py', text: `def latex(expr): pass\n${filler('l', 50)}` },
      { path: 'sympy/printing/pretty.py', text: `def pretty(expr): pass\n${filler('p', 50)}` },
    ];
    const q =
      'Error when printing\n```\nTraceback (most recent call last):\n  File "/home/me/sympy/sympy/printing/pretty.py", line 12, in pretty\nValueError: bad\n```\nprinting of subs latex';
    const r = ranked(files, q);
    assert.equal(r[0]!.path, 'sympy/printing/pretty.py');
    assert.equal(r[0]!.mentioned, true);
    assert.deepEqual(
      [...mentionedPaths('see sympy.printing.latex and utils.py')].sort(),
      ['sympy.printing.latex', 'sympy/printing/latex', 'utils.py', 'utils/py'].sort(),
    );
  });

  test('a word meets its other forms: the question says "callbacks" and "unmounted", the code says callback and unmount', () => {
    const files = [
      { path: 'src/lifecycle.ts', text: `export function onUnmount(callback) {\n  queued = callback\n}\n${filler('a', 40)}` },
      { path: 'src/keepAlive.ts', text: `export function keepAlive(component) {\n  return component\n}\n${filler('k', 40)}` },
      { path: 'src/scheduler.ts', text: `export function queueJob(job) {\n  queue.push(job)\n}\n${filler('s', 40)}` },
    ];
    const question = 'skip callbacks after the component is unmounted';
    assert.equal(ranked(files, question)[0]!.path, 'src/lifecycle.ts');
    // with words compared as written, only "component" is shared, and not with that file
    assert.equal(ranked2(files, question, { stemming: 'none' })[0]!.path, 'src/keepAlive.ts');
  });

  test('the word as the question writes it counts more than another form of it', () => {
    const files = [
      { path: 'src/a.ts', text: `const pending = callback\n${filler('a', 20)}` },
      { path: 'src/b.ts', text: `const pending = callbacks\n${filler('b', 20)}` },
    ];
    const r = ranked(files, 'callbacks run twice');
    assert.equal(r[0]!.path, 'src/b.ts');
    assert.ok(r[1]!.score > 0, 'the other form still counts');
    const even = ranked2(files, 'callbacks run twice', { stemMatchWeight: 1 });
    assert.ok(Math.abs(even[0]!.score - even[1]!.score) < 1e-9, 'with full weight both forms count alike');
  });

  test('stems: plurals, and (light) past and -ing forms; a word whose stem would lose its vowel stays whole', () => {
    const light = (w: string) => stem(w, 'light');
    assert.equal(stem('callbacks', 'plural'), 'callback');
    assert.equal(stem('properties', 'plural'), 'property');
    assert.equal(stem('matches', 'plural'), 'match');
    assert.equal(stem('status', 'plural'), 'status');
    assert.equal(stem('class', 'plural'), 'class');
    assert.equal(stem('unmounted', 'none'), 'unmounted');
    for (const group of [
      ['parse', 'parsed', 'parsing', 'parses'],
      ['map', 'mapped', 'mapping', 'maps'],
      ['apply', 'applied'],
      ['update', 'updated', 'updating', 'updates'],
    ]) {
      assert.equal(new Set(group.map(light)).size, 1, group.join(', '));
    }
    assert.equal(light('string'), 'string');
    assert.equal(light('spring'), 'spring');
    assert.notEqual(light('string'), light('str'));
  });

  test('declared names in Python, TypeScript, Go and Rust', () => {
    assert.equal(declaredName('def trigsimp(expr, **opts):'), 'trigsimp');
    assert.equal(declaredName('    async def fetch(self):'), 'fetch');
    assert.equal(declaredName('export default class Renderer {'), 'Renderer');
    assert.equal(declaredName('export const useStore = (init) => {'), 'useStore');
    assert.equal(declaredName('  patchProps(el, key) {'), 'patchProps');
    assert.equal(declaredName('func (s *Server) Serve() error {'), undefined);
    assert.equal(declaredName('pub fn parse_expr(input: &str) -> Expr {'), 'parse_expr');
    assert.equal(declaredName('  if (x) {'), undefined);
  });

  test('a question with nothing in common with any file scores every file 0, and an aborted signal stops the pass', () => {
    const files = [{ path: 'a.py', text: 'x = 1' }];
    assert.equal(rankFilesLexically(files, 'zebra quokka').files[0]!.score, 0);
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => rankFilesLexically(files, 'x', undefined, controller.signal));
  });
});

describe('lexical priors', () => {
  test('are named, and each can be switched off by name (rankLab measures them so)', () => {
    assert.deepEqual(
      PRIORS.map((p) => p.name),
      ['mentioned', 'innermostFrame', 'definesNamed', 'raisesQuoted', 'namedFolder', 'standing'],
    );
    const files = [
      { path: 'src/parser.ts', text: 'export function parse(input: string) { return input; }\n' },
      { path: 'src/other.ts', text: 'export function parse(input: string) { return input; }\n' },
      { path: 'test/parser.test.ts', text: 'parse(input)\n' },
    ];
    const question = 'parse(input) throws in src/parser.ts';
    const all = rankFilesLexically(files, question).files.map((e) => e.score);
    const withoutMentioned = rankFilesLexically(files, question, { ...DEFAULT_LEXICAL_PARAMS, priors: ['definesNamed', 'namedFolder', 'standing'] }).files.map(
      (e) => e.score,
    );
    assert.equal(all[0]! / withoutMentioned[0]!, DEFAULT_LEXICAL_PARAMS.mentionBoost, 'the named file loses its lift');
    assert.equal(all[1], withoutMentioned[1], 'the others are untouched');
    const withoutStanding = rankFilesLexically(files, question, { ...DEFAULT_LEXICAL_PARAMS, priors: ['mentioned', 'definesNamed', 'namedFolder'] }).files.map(
      (e) => e.score,
    );
    assert.ok(Math.abs(all[2]! / withoutStanding[2]! - DEFAULT_LEXICAL_PARAMS.kindPrior.test) < 1e-12, 'the test file loses its kind prior');
    // the two files that define `parse`, which the question calls, are lifted; the test that only calls it is not
    const withoutDefiner = rankFilesLexically(files, question, { ...DEFAULT_LEXICAL_PARAMS, priors: ['mentioned', 'namedFolder', 'standing'] }).files.map(
      (e) => e.score,
    );
    assert.deepEqual(
      all.map((s, i) => s / withoutDefiner[i]!),
      [DEFAULT_LEXICAL_PARAMS.definerBoost, DEFAULT_LEXICAL_PARAMS.definerBoost, 1],
    );
  });

  test('a name the question gives as code, not a word of its prose, lifts the file that defines it', () => {
    assert.deepEqual([...codeNames('Where is settleAccount defined? `parse` fails, ledger.close() too; snake_case and h2o; the parser parses')].sort(), [
      'close',
      'h2o',
      'parse',
      'settleaccount',
      'snake_case',
    ]);
  });
});

describe('line ranges', () => {
  test('end at the last line: a final newline ends the last line, it does not start another', () => {
    const one = { path: 'one.ts', text: 'export const parser = 1;\n' };
    const fiftyOne = { path: 'many.ts', text: Array.from({ length: 51 }, (_, i) => `export const parser${i} = ${i};`).join('\n') + '\n' };
    const noNewline = { path: 'bare.ts', text: 'export const parser = 2;' };
    const ranges = rankFilesLexically([one, fiftyOne, noNewline], 'parser').files.map((e) => e.ranges);
    assert.deepEqual(ranges, [[{ start: 1, end: 1 }], [{ start: 1, end: 51 }], [{ start: 1, end: 1 }]]);
  });
});

describe('ranges follow the matching lines', () => {
  // flask's json/provider.py, in shape: the serializer of dates, decimals and UUIDs sits at lines
  // 108-117, across the edge of two 60-line chunks; the imports at the top name the same types
  const provider = [
    'import dataclasses',
    'import decimal',
    'import json',
    'import uuid',
    'from datetime import date',
    ...Array.from({ length: 102 }, (_, i) => `    setting_${i} = configure(${i})`),
    'def _fallback(o):',
    '    if isinstance(o, date):',
    '        return http_date(o)',
    '    if isinstance(o, (decimal.Decimal, uuid.UUID)):',
    '        return str(o)',
    '    if isinstance(o, set):',
    '        return list(o)',
    '    if dataclasses.is_dataclass(o):',
    '        return dataclasses.asdict(o)',
    '    raise TypeError("not serializable as JSON")',
    ...Array.from({ length: 83 }, (_, i) => `    option_${i} = configure(${i})`),
  ].join('\n');
  const others = Array.from({ length: 20 }, (_, i) => ({ path: `src/other${i}.py`, text: filler(`o${i}`, 40) }));

  test('the lines that answer are shown, not the 60-line chunks around them', () => {
    const r = ranked([{ path: 'src/flask/json/provider.py', text: provider }, ...others], 'How are date, Decimal and UUID values serialized to JSON?');
    assert.equal(r[0]!.path, 'src/flask/json/provider.py');
    const ranges = r[0]!.ranges;
    assert.ok(
      ranges.some((x) => x.start <= 108 && x.end >= 117 && x.start >= 100),
      `a range starts near the serializer and holds it whole: ${JSON.stringify(ranges)}`,
    );
    assert.ok(
      ranges.every((x) => x.end - x.start + 1 <= 30),
      `each range is a few lines around its matches, not a chunk: ${JSON.stringify(ranges)}`,
    );
    assert.ok(ranges.every((x) => x.start >= 1 && x.end <= 200));
  });

  test('a range never passes the end of the file, and lines far apart are separate ranges', () => {
    const text = ['const retryLimit = 3;', filler('a', 100), 'export function backoff(retryLimit) {}'].join('\n');
    const r = ranked([{ path: 'src/retry.ts', text }, ...others], 'retryLimit backoff');
    assert.deepEqual(r[0]!.ranges, [
      { start: 1, end: 7 },
      { start: 99, end: 102 },
    ]);
  });
});

describe('an error message the question quotes', () => {
  const question = [
    'Requesting the velocity of a point fails',
    'Traceback (most recent call last):',
    '  File "<stdin>", line 1, in <module>',
    'ValueError: Velocity of point Q has not been defined in ReferenceFrame A',
  ].join('\n');
  const raiser = {
    path: 'pkg/physics/point.py',
    text: [
      'class Point:',
      '    def vel(self, frame):',
      '        if frame not in self._vel_dict:',
      "            raise ValueError('Velocity of point {} has not been defined in ReferenceFrame {}'.format(self.name, frame.name))",
      '        return self._vel_dict[frame]',
      filler('p', 30),
    ].join('\n'),
  };
  // files that use the same words more often, in another order
  const users = Array.from({ length: 3 }, (_, i) => ({
    path: `pkg/physics/user${i}.py`,
    text: `# velocity of a point in a reference frame\ndef velocity_point_frame(point, frame):\n    return point.vel(frame)  # point velocity frame ReferenceFrame defined\n# the velocity of point and frame: ReferenceFrame velocity point defined\n${filler(`u${i}`, 10)}`,
  }));
  const files = [raiser, ...users, ...Array.from({ length: 20 }, (_, i) => ({ path: `pkg/other${i}.py`, text: filler(`o${i}`, 30) }))];

  test('the file that raises it, its words in order, ranks above files that share its words', () => {
    assert.equal(ranked(files, question)[0]!.path, 'pkg/physics/point.py');
    const without = ranked2(files, question, { priors: PRIORS.map((p) => p.name).filter((n) => n !== 'raisesQuoted') });
    assert.notEqual(without[0]!.path, 'pkg/physics/point.py', 'without the prior a user of the words is first: the test tells the two apart');
  });

  test('error lines as runtimes print them; short or repeated messages left out', () => {
    assert.deepEqual(quotedErrorMessages(question), [['Velocity', 'of', 'point', 'Q', 'has', 'not', 'been', 'defined', 'in', 'ReferenceFrame', 'A']]);
    assert.deepEqual(
      quotedErrorMessages("TypeError: Cannot read properties of undefined (reading 'x')\nTypeError: Cannot read properties of undefined (reading 'x')"),
      [['Cannot', 'read', 'properties', 'of', 'undefined', 'reading', 'x']],
    );
    assert.deepEqual(quotedErrorMessages('Error [ERR_REQUIRE_ESM]: require() of ES Module not supported'), [
      ['require', 'of', 'ES', 'Module', 'not', 'supported'],
    ]);
    assert.deepEqual(quotedErrorMessages('KeyError: foo\nhow do errors work: a question'), [], 'too short; not an error line');
  });
});

describe('a pasted traceback', () => {
  test("its frames' files, innermost first, from Python and JavaScript traces", () => {
    const python = [
      'Traceback (most recent call last):',
      '  File "/home/me/proj/app/cli.py", line 3, in main',
      '  File "/home/me/proj/app/core/engine.py", line 9, in run',
      '  File "/home/me/proj/app/cli.py", line 30, in helper',
      '  File "/usr/lib/python3.11/json/decoder.py", line 337, in decode',
      'ValueError: boom',
    ].join('\n');
    assert.deepEqual(tracebackFrames(python), ['usr/lib/python3.11/json/decoder.py', 'home/me/proj/app/cli.py', 'home/me/proj/app/core/engine.py']);
    const js = [
      "TypeError: Cannot read properties of undefined (reading 'x')",
      '    at resolve (/work/proj/src/Resolve.ts:10:5)',
      '    at file:///work/proj/src/index.js:3:1',
      '    at Module._compile (node:internal/modules/cjs/loader:1105:14)',
    ].join('\n');
    assert.deepEqual(tracebackFrames(js), ['work/proj/src/resolve.ts', 'work/proj/src/index.js']);
    assert.deepEqual(tracebackFrames('no trace here, only at noon: 12:30'), []);
  });

  test('the innermost frame that is a repository file is lifted above the frames that called it', () => {
    const files = [
      { path: 'app/cli.py', text: `def main():\n    run()  # the command line: running the main command\n${filler('c', 40)}` },
      { path: 'app/core/engine.py', text: `def run():\n    raise ValueError('boom')\n${filler('e', 40)}` },
      ...Array.from({ length: 10 }, (_, i) => ({ path: `app/other${i}.py`, text: filler(`o${i}`, 30) })),
    ];
    const question = [
      'Running the main command fails',
      'Traceback (most recent call last):',
      '  File "/home/me/proj/app/cli.py", line 2, in main',
      '  File "/home/me/proj/app/core/engine.py", line 2, in run',
      'ValueError: boom',
    ].join('\n');
    assert.equal(ranked(files, question)[0]!.path, 'app/core/engine.py');
    const without = ranked2(files, question, { priors: PRIORS.map((p) => p.name).filter((n) => n !== 'innermostFrame') });
    assert.equal(without[0]!.path, 'app/cli.py', 'without the prior the caller, which shares more words, is first: the test tells the two apart');
  });
});

describe('the files that import the best ones', () => {
  // two files alike in their words; one of them imports the file that matches the question best
  const files = (python: boolean) =>
    python
      ? [
          {
            path: 'pkg/slots.py',
            text: `def render_slot(props):\n    """render the slot with its props; nullish props"""\n    return props\n${filler('slot', 20)}`,
          },
          { path: 'pkg/server/ssr.py', text: `from pkg.slots import render_slot\n\ndef server(props):\n    return render_slot(props)\n${filler('props', 20)}` },
          { path: 'pkg/client/dom.py', text: `import os\n\ndef client(props):\n    return props\n${filler('props', 20)}` },
        ]
      : [
          {
            path: 'src/slots.ts',
            text: `export function renderSlot(props) {\n  // render the slot with its props; nullish props\n  return props;\n}\n${filler('slot', 20)}`,
          },
          {
            path: 'src/server/ssr.ts',
            text: `import { renderSlot } from '../slots';\n\nexport function server(props) {\n  return renderSlot(props);\n}\n${filler('props', 20)}`,
          },
          { path: 'src/client/dom.ts', text: `import { x } from './other';\n\nexport function client(props) {\n  return props;\n}\n${filler('props', 20)}` },
        ];
  const question = 'render slot with nullish props';

  for (const python of [false, true]) {
    test(`${python ? 'Python' : 'TypeScript'}: of two files alike, the one that imports the best match gains a share of its score; the other keeps its own`, () => {
      const lifted = ranked2(files(python), question);
      assert.equal(lifted[0]!.path, files(python)[0]!.path);
      assert.equal(lifted[1]!.path, files(python)[1]!.path);
      assert.ok(lifted[1]!.score > lifted[2]!.score, 'lifted above its twin');
      const plain = ranked2(files(python), question, { importerWeight: 0 });
      const [a, b] = [plain.find((f) => f.path.includes('server'))!, plain.find((f) => f.path.includes('client'))!];
      // the twins differ only by the line that imports the best match: its words ("slots", "render", "slot") count a little
      assert.ok(lifted[1]!.score - a.score > 0.3 * 0.9 * plain[0]!.score, 'the lift is a share of the best file score');
      assert.ok(Math.abs(b.score - lifted[2]!.score) < 1e-9, 'a file that imports none of them keeps its score');
    });
  }

  test('the next question of a host resolves imports against the files as they are now (a moved file is no longer imported)', () => {
    const before = files(false);
    ranked2(before, question);
    // as many files, the best match moved to another folder under its name: `../slots` in ssr.ts now names no file
    const after = [{ ...before[0]!, path: 'lib/slots.ts' }, ...before.slice(1)];
    const renamed = ranked2(after, question);
    const plain = ranked2(after, question, { importerWeight: 0 });
    const score = (list: { path: string; score: number }[]) => list.find((f) => f.path === 'src/server/ssr.ts')!.score;
    assert.ok(Math.abs(score(renamed) - score(plain)) < 1e-9, 'ssr.ts gains nothing from an import that no longer resolves');
    // and a file list of the same paths is resolved by the same resolver, a changed one by a new one
    const paths = before.map((f) => f.path);
    assert.equal(resolverFor(paths), resolverFor([...paths]));
    assert.notEqual(resolverFor(paths), resolverFor(after.map((f) => f.path)));
  });
});
