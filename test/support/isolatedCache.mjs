// Loaded before every test file (`--import`): the index cache of every process a test starts (the
// CLI, `xl3m mcp`) goes to one temporary folder for the whole run, removed at the end, never to the
// user's own (~/.cache/xl3m). A test about the cache sets XL3M_CACHE_DIR itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.XL3M_TEST_CACHE_OWNER) {
  const folder = mkdtempSync(join(tmpdir(), 'xl3m-test-cache-'));
  process.env.XL3M_CACHE_DIR = folder;
  process.env.XL3M_TEST_CACHE_OWNER = String(process.pid);
  process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
}
