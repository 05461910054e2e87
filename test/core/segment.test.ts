import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { cutPriority, pieceHeader, segment } from '../../extension/core/xl3m/segment';
import { countLineTokens, TiktokenTokenizer, tokenizeFile } from '../../extension/core/tokens/tokenizer';
import type { Segment, SourceFile, TokenizedFile } from '../../extension/core/types';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

const file = (path: string, text: string): TokenizedFile =>
  tokenizeFile({ path, absPath: `/r/${path}`, text, bytes: text.length } satisfies SourceFile, tokenizer);

function functionBlock(i: number, bodyLines = 6): string {
  const body = Array.from({ length: bodyLines }, (_, j) => `  const value${j} = compute${i}(${j}) + offset * ${j};`).join('\n');
  return `export function handler${i}(offset: number) {\n${body}\n  return value0;\n}\n`;
}

const bigFile = file('src/big.ts', Array.from({ length: 80 }, (_, i) => functionBlock(i)).join('\n'));
const small = [file('a.ts', 'export const a = 1;\n'), file('b.ts', 'export const b = 2;\n'), file('c.ts', 'export const c = 3;\n')];

/** Every (file, line) covered by the segments, with how many times. */
function coverage(segments: Segment[]) {
  const seen = new Map<string, number>();
  for (const s of segments) for (const p of s.pieces) for (let l = p.start; l <= p.end; l++) seen.set(`${p.path}:${l}`, (seen.get(`${p.path}:${l}`) ?? 0) + 1);
  return seen;
}

describe('segment', () => {
  test('small files share a segment; each piece has a header naming its path and lines', () => {
    const segs = segment(small, tokenizer, { maxTokens: 512 });
    assert.equal(segs.length, 1);
    assert.deepEqual(
      segs[0]!.pieces.map((p) => [p.path, p.start, p.end]),
      [
        ['a.ts', 1, 1],
        ['b.ts', 1, 1],
        ['c.ts', 1, 1],
      ],
    );
    assert.equal(
      segs[0]!.text,
      `${pieceHeader('a.ts', 1, 1)}export const a = 1;\n${pieceHeader('b.ts', 1, 1)}export const b = 2;\n${pieceHeader('c.ts', 1, 1)}export const c = 3;\n`,
    );
  });

  test('respects the token length (measured by the tokenizer on the real text)', () => {
    const segs = segment([...small, bigFile, ...small.map((f) => file(`z/${f.file.path}`, f.file.text))], tokenizer, { maxTokens: 400 });
    assert.ok(segs.length > 5);
    for (const s of segs) {
      const real = tokenizer.count(s.text);
      assert.ok(real <= 400 * 1.02, `segment ${s.index} has ${real} tokens`);
    }
  });

  test('cuts between files before cutting a file that fits in a segment of its own', () => {
    const medium = file('m.ts', Array.from({ length: 3 }, (_, i) => functionBlock(i)).join('\n'));
    assert.ok(medium.tokens < 400 && medium.tokens > 200, `fixture has ${medium.tokens} tokens`);
    const segs = segment([file('first.ts', functionBlock(99, 20)), medium], tokenizer, { maxTokens: 400 });
    const piecesOfMedium = segs.flatMap((s) => s.pieces.filter((p) => p.path === 'm.ts'));
    assert.equal(piecesOfMedium.length, 1, 'm.ts fits one segment, so it is not split');
  });

  test('cuts a large file at declaration boundaries', () => {
    const segs = segment([bigFile], tokenizer, { maxTokens: 300, overlapTokens: 0 });
    assert.ok(segs.length >= 3, `the file is cut (${segs.length} segments): the loop below checks each cut`);
    for (const s of segs.slice(1)) {
      const p = s.pieces[0]!;
      assert.match(bigFile.lines[p.start - 1]!, /^export function/, `segment ${s.index} starts mid-function at line ${p.start}`);
    }
    assert.ok(cutPriority(bigFile.lines, bigFile.lines.indexOf('}')) >= 1);
  });

  test('loses no line, and repeats lines only within the overlap', () => {
    const files = [...small, bigFile, file('tail.md', 'the end\n')];
    const overlapTokens = 40;
    const segs = segment(files, tokenizer, { maxTokens: 300, overlapTokens });
    const seen = coverage(segs);
    for (const f of files) for (let l = 1; l <= f.lines.length; l++) assert.ok(seen.has(`${f.file.path}:${l}`), `${f.file.path}:${l} lost`);
    // consecutive pieces of one file overlap by at most `overlapTokens`
    const pieces = segs.flatMap((s) => s.pieces).filter((p) => p.path === 'src/big.ts');
    for (let i = 1; i < pieces.length; i++) {
      const prev = pieces[i - 1]!;
      const cur = pieces[i]!;
      assert.ok(cur.start > prev.start && cur.start <= prev.end + 1, 'pieces advance without gaps');
      let repeated = 0;
      for (let l = cur.start; l <= prev.end; l++) repeated += bigFile.lineTokens[l - 1]!;
      assert.ok(repeated <= overlapTokens, `overlap of ${repeated} tokens`);
    }
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    assert.ok(duplicated > 0, 'some overlap is used');
  });

  test('piece text is exactly the file lines under its header (provenance)', () => {
    const segs = segment([bigFile], tokenizer, { maxTokens: 300 });
    assert.ok(segs.length >= 3, `${segs.length} segments`);
    for (const s of segs) {
      const expected = s.pieces.map((p) => pieceHeader(p.path, p.start, p.end) + bigFile.lines.slice(p.start - 1, p.end).join('\n') + '\n').join('');
      assert.equal(s.text, expected);
    }
  });

  test('a single line longer than a segment goes alone, truncated', () => {
    const long = file('long.txt', 'word '.repeat(3000) + '\nshort\n');
    const segs = segment([long], tokenizer, { maxTokens: 256 });
    assert.deepEqual(
      segs[0]!.pieces.map((p) => [p.start, p.end]),
      [[1, 1]],
    );
    assert.ok(tokenizer.count(segs[0]!.text) <= 256);
    assert.equal(segs[1]!.pieces[0]!.start, 2);
  });
});

describe('counting a line longer than a run', () => {
  test('is counted in slices: within one token per slice of the whole count, for code and for a run with no space', () => {
    const code = 'const value = compute(1, 2, 3); '.repeat(3000);
    const blob = 'x'.repeat(50_000);
    for (const line of [code, blob]) {
      const sliced = countLineTokens([line], tokenizer).tokens;
      const whole = tokenizer.count(`${line}\n`);
      assert.ok(Math.abs(sliced - whole) <= Math.ceil(line.length / 1024), `${sliced} against ${whole}`);
    }
  });
});
