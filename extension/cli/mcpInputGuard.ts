// The MCP SDK's stdio transport holds at most 10 MiB of unread input and, past that, closes the
// connection: one huge request (a pasted dump) would end an agent's session. Requests reach it
// through this guard instead: a line longer than the limit is dropped as it streams in, answered
// with a JSON-RPC error naming its size, and the connection goes on.
import { Transform, type Readable } from 'node:stream';

export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** What `reject` is told of a dropped request: its id when the line's first bytes name one, and its size. */
export function guardRequests(input: Readable, limit: number, reject: (id: string | number | null, bytes: number) => void): Readable {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dropping: { head: string; bytes: number } | undefined;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let start = 0;
      for (let nl = chunk.indexOf(10); ; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl + 1);
        if (dropping) dropping.bytes += piece.length;
        else if (pendingBytes + piece.length > limit) {
          const head = Buffer.concat([...pending, piece])
            .subarray(0, 256)
            .toString('utf8');
          dropping = { head, bytes: pendingBytes + piece.length };
          pending = [];
          pendingBytes = 0;
        } else {
          pending.push(piece);
          pendingBytes += piece.length;
        }
        if (nl < 0) break;
        // a line ends here
        if (dropping) {
          reject(idOf(dropping.head), dropping.bytes);
          dropping = undefined;
        } else {
          this.push(Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
        start = nl + 1;
        if (start >= chunk.length) break;
      }
      done();
    },
    flush(done) {
      if (pendingBytes) this.push(Buffer.concat(pending));
      done();
    },
  });
  input.on('end', () => guard.end());
  input.on('close', () => guard.end());
  input.pipe(guard, { end: false });
  return guard;
}

function idOf(head: string): string | number | null {
  const m = /"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)/.exec(head);
  if (!m) return null;
  return m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : Number(m[1]);
}
