// What a long-lived host (the extension host, `xl3m mcp`) keeps between questions so that a repeat
// question pays only for what changed: each file's reading (files/fileCache.ts) and its words
// (lexical/wordIndex.ts). A question still stats every file and ranks them as they are on disk
// now; the ranking is the same, score for score, as a run with nothing kept.
import { FileCache } from './files/fileCache';
import { LexicalIndex } from './lexical/wordIndex';

export class WarmIndex {
  readonly files = new FileCache();
  readonly lexical = new LexicalIndex();
}
