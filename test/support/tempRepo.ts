import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway folder with the given files (text or bytes); removed by `dispose()`. */
export function tempRepo(files: Record<string, string | Uint8Array>) {
  const root = mkdtempSync(join(tmpdir(), 'xl3m-test-'));
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return { root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
