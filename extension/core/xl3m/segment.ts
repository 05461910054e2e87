import type { Tokenizer } from '../tokens/tokenizer';
import type { Segment, SegmentPiece, TokenizedFile } from '../types';
import { DEFAULTS } from '../options';

export interface SegmentOptions {
  /** Tokens per segment, headers included. The default leaves room for a question in a 4k-context scorer. */
  maxTokens?: number;
  /** Tokens repeated at the start of the next segment when a file is cut mid-way. */
  overlapTokens?: number;
}

/** The line that introduces a piece of a file, in segments and in the key context alike. */
export function pieceHeader(path: string, start: number, end: number): string {
  return `--- ${path}:${start}-${end} ---\n`;
}

// A line that starts a top-level declaration in most languages: a good place to cut before.
const DECLARATION =
  /^(export|public|private|protected|internal|static|async|function|class|interface|type|enum|struct|union|impl|fn|pub|def|func|package|module|namespace|const|let|var|val|object|trait|import|from|template|using|@|#\s*(include|define|if)|\/\*\*|\/\/\/|"""|[A-Za-z_][\w:<>*&,\s]*\s+[A-Za-z_][\w:]*\s*\()/;
const BLOCK_END = /^([}\])]+[;,]?\s*$|end\b)/;

/** How good a place it is to cut after line `i` (0-based): 0 = mid-block ... 3 = end of file. */
export function cutPriority(lines: string[], i: number): number {
  const next = lines[i + 1];
  if (next === undefined) return 3;
  const cur = lines[i]!;
  let p = 0;
  if (cur.trim() === '' || BLOCK_END.test(cur)) p++;
  if (next !== '' && !/^\s/.test(next) && DECLARATION.test(next)) p++;
  return p;
}

/**
 * Cuts the concatenated repository into segments of at most `maxTokens`: between files first,
 * then at declarations / blank lines, then between any two lines. Small files share a segment.
 */
export function segment(files: TokenizedFile[], tokenizer: Tokenizer, options: SegmentOptions = {}): Segment[] {
  const maxTokens = options.maxTokens ?? DEFAULTS.segmentTokens;
  const overlap = options.overlapTokens ?? DEFAULTS.overlapTokens;
  if (maxTokens < 64) throw new Error(`segment length must be at least 64 tokens (got ${maxTokens})`);
  const segments: Segment[] = [];
  let pieces: SegmentPiece[] = [];
  let used = 0;

  const flush = () => {
    if (pieces.length === 0) return;
    const own = pieces;
    // built when read, from the files' lines: a run over 20M tokens would otherwise hold its text twice
    segments.push({
      index: segments.length,
      tokens: used,
      pieces: own,
      get text() {
        let text = '';
        for (const p of own) text += pieceText(files[p.fileIndex]!, p, maxTokens);
        return text;
      },
    });
    pieces = [];
    used = 0;
  };

  files.forEach((tf, fileIndex) => {
    const { lines, lineTokens } = tf;
    const n = lines.length;
    // Headers differ only in their line numbers; one count per file is close enough.
    const header = tokenizer.count(pieceHeader(tf.file.path, n, n));
    const suffix = new Float64Array(n + 1);
    for (let i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! + lineTokens[i]!;
    const add = (start: number, end: number) => {
      const tokens = Math.min(suffix[start]! - suffix[end + 1]!, maxTokens - header);
      pieces.push({ fileIndex, path: tf.file.path, start: start + 1, end: end + 1, tokens: tokens + header });
      used += tokens + header;
    };

    let line = 0;
    while (line < n) {
      const room = maxTokens - used - header;
      const rest = suffix[line]!;
      if (rest <= room) {
        add(line, n - 1);
        break;
      }
      if (pieces.length > 0 && (rest <= maxTokens - header || room < maxTokens / 4)) {
        flush();
        continue;
      }
      const end = bestCut(lines, lineTokens, line, room);
      if (end < line) {
        if (pieces.length > 0) {
          flush();
          continue;
        }
        add(line, line); // one line longer than a whole segment: sent truncated, alone
        flush();
        line++;
        continue;
      }
      add(line, end);
      flush();
      let next = end + 1;
      let repeated = 0;
      while (next - 1 > line && repeated + lineTokens[next - 1]! <= overlap) {
        next--;
        repeated += lineTokens[next]!;
      }
      line = next;
    }
  });
  flush();
  return segments;
}

/** The last line (inclusive) of the best piece starting at `start` that fits in `room`, or start-1. */
function bestCut(lines: string[], lineTokens: Uint32Array, start: number, room: number): number {
  let best = start - 1;
  let bestPriority = -1;
  let bestFull = false;
  let acc = 0;
  for (let i = start; i < lines.length; i++) {
    acc += lineTokens[i]!;
    if (acc > room) break;
    const full = acc >= room / 2; // a cut that leaves the segment half empty only if nothing else fits
    const p = cutPriority(lines, i);
    if ((full && !bestFull) || (full === bestFull && p >= bestPriority)) {
      best = i;
      bestPriority = p;
      bestFull = full;
    }
  }
  return best;
}

/** The header and lines of a piece, as the scorer and the answer model see them. */
export function pieceText(tf: TokenizedFile, piece: { start: number; end: number }, maxTokens = Infinity): string {
  let body = tf.lines.slice(piece.start - 1, piece.end).join('\n');
  if (piece.start === piece.end && tf.lineTokens[piece.start - 1]! > maxTokens) {
    const keep = Math.floor((body.length * maxTokens * 0.8) / tf.lineTokens[piece.start - 1]!);
    body = body.slice(0, keep) + ' …';
  }
  return pieceHeader(tf.file.path, piece.start, piece.end) + body + '\n';
}
