// Preloaded into a CLI process by a test (NODE_OPTIONS=--require): at exit, writes the modules the
// process loaded, one path per line, to the file XL3M_TEST_LOADED names.
const { writeFileSync } = require('node:fs');
process.on('exit', () => writeFileSync(process.env.XL3M_TEST_LOADED, Object.keys(require.cache).join('\n')));
