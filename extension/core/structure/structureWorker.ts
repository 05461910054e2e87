// The child process that reads syntax trees (started by `StructureProcess`): a batch of files in,
// their definitions out. Its own process so that a host's thread goes on analysing words while it
// parses, and so that it can run with V8's baseline WebAssembly compiler only (`--liftoff-only`):
// on V8 13 (Node 24, VS Code's Electron) the optimizing compiler's tier-up of the C++ grammar's
// lexer takes about a gigabyte and a core (BENCHMARKS.md), a flag no extension host can be given.
import { definitionsOf, prepareStructure } from './definitions';
import type { FromStructureWorker, ToStructureWorker } from './structureProtocol';

const send = (m: FromStructureWorker): void => void process.send?.(m);

process.on('message', (m: ToStructureWorker) => {
  void (async () => {
    try {
      const problems = await prepareStructure(m.files.map((f) => f.path));
      send({ id: m.id, definitions: m.files.map((f) => definitionsOf(f.path, f.text) ?? null), problems });
    } catch (err) {
      send({ id: m.id, error: (err as Error).message });
    }
  })();
});
// the host is gone (or let this process go): nothing more will come
process.on('disconnect', () => process.exit(0));
