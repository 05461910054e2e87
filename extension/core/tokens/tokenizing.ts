// How a process counts tokens, set up once for every entry point: tiktoken on the calling thread
// (its WASM loaded on the first count, not at start), the bundle's worker threads (started on the
// first run that needs them), and, for a host that lives on (the extension, `xl3m mcp`), the counts
// kept between questions.
import { TokenCountCache } from './tokenCountCache';
import { TiktokenTokenizer } from './tokenizer';
import { bundledTokenizerPool, type TokenizerPool } from './tokenizerPool';

export class Tokenizing {
  readonly tokenizer = new TiktokenTokenizer();
  /** Counts kept between questions; none in a process that answers one question. */
  readonly cache: TokenCountCache | undefined;
  private pool: TokenizerPool | undefined | null = null;

  /** `bundleDir`: where the built `tokenizerWorker.js` is (no pool when it is not there: the sources run without a build). */
  constructor(
    private readonly bundleDir: string,
    options: { keepCounts: boolean },
  ) {
    this.cache = options.keepCounts ? new TokenCountCache() : undefined;
  }

  /** The run environment's tokenizing part. */
  env(): { tokenizer: TiktokenTokenizer; tokenizerPool?: TokenizerPool; tokenCache?: TokenCountCache } {
    if (this.pool === null) this.pool = bundledTokenizerPool(this.bundleDir);
    return { tokenizer: this.tokenizer, ...(this.pool ? { tokenizerPool: this.pool } : {}), ...(this.cache ? { tokenCache: this.cache } : {}) };
  }

  async dispose() {
    this.tokenizer.dispose();
    await this.pool?.dispose();
    this.pool = undefined;
  }
}
