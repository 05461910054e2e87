// Preloaded into a CLI process by a test (NODE_OPTIONS=--import): at exit, writes the CommonJS
// modules the process loaded (the bundles), one path per line, to the file XL3M_TEST_LOADED names.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { cache } = createRequire(import.meta.url);
process.on('exit', () => writeFileSync(process.env.XL3M_TEST_LOADED, Object.keys(cache).join('\n')));
