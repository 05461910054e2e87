// The server's wire format read back whatever way the bytes arrive: messages and raw output split
// anywhere across chunks, or several in one chunk; a line that is not JSON ends the connection.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { readMessages, send, sendOutput } from '../../extension/cli/serverProtocol';

/** A socket that keeps what is written, and replays given chunks as 'data'. */
function fakeSocket() {
  const written: Buffer[] = [];
  const socket = Object.assign(new EventEmitter(), {
    destroyed: false,
    write(data: string | Uint8Array) {
      written.push(Buffer.from(data));
      return true;
    },
    destroy() {
      socket.destroyed = true;
    },
  });
  return { socket: socket as unknown as Socket & { destroyed: boolean }, written: () => Buffer.concat(written) };
}

describe('the server protocol', () => {
  const output = `{"files":[${'{"path":"a/b.ts","score":1.5},'.repeat(2000)}{}]}\n`;
  const wire = (() => {
    const { socket, written } = fakeSocket();
    send(socket, { type: 'stdout', bytes: 0 } as never);
    sendOutput(socket, 'stderr', 'ranked 3 files\n');
    sendOutput(socket, 'stdout', output);
    sendOutput(socket, 'stdout', Buffer.from('ünïcode ✓\n'));
    send(socket, { type: 'exit', code: 0 });
    return written();
  })();
  const expected = [
    ['stdout', ''],
    ['stderr', 'ranked 3 files\n'],
    ['stdout', output],
    ['stdout', 'ünïcode ✓\n'],
    ['exit', 0],
  ];

  for (const size of [1, 3, 7, 64, 4096, wire.length])
    test(`read back the same from chunks of ${size} bytes`, () => {
      const { socket } = fakeSocket();
      // A message's bytes may come over several calls, each with the same message: joined here.
      const got: { message: { type: string; code?: number }; pieces?: Buffer[] }[] = [];
      readMessages<{ type: string; code?: number }>(socket, (message, bytes) => {
        const last = got.at(-1);
        if (bytes && last?.message === message) last.pieces!.push(bytes);
        else got.push(bytes ? { message, pieces: [bytes] } : { message });
      });
      for (let i = 0; i < wire.length; i += size) socket.emit('data', wire.subarray(i, i + size));
      assert.deepEqual(
        got.map(({ message, pieces }) => [message.type, pieces ? Buffer.concat(pieces).toString('utf8') : message.code]),
        expected,
      );
      assert.equal(socket.destroyed, false);
    });

  test("an output's bytes are passed on as they arrive, not gathered until the last", () => {
    const { socket } = fakeSocket();
    const pieces: number[] = [];
    readMessages<{ type: string }>(socket, (message, bytes) => {
      if (message.type === 'stdout' && bytes && bytes.length > 0) pieces.push(bytes.length);
    });
    for (let i = 0; i < wire.length; i += 4096) socket.emit('data', wire.subarray(i, i + 4096));
    // the 60 KB output comes over its chunks, each piece at most a chunk
    assert.ok(pieces.length > Buffer.byteLength(output) / 4096, `${pieces.length} pieces`);
    assert.ok(
      pieces.every((n) => n <= 4096),
      'no piece longer than a chunk',
    );
  });

  test('a line that is not JSON ends the connection', () => {
    const { socket } = fakeSocket();
    const got: unknown[] = [];
    readMessages(socket, (message) => got.push(message));
    socket.emit('data', Buffer.from('{"type":"status"}\nGET / HTTP/1.1\n{"type":"stop"}\n'));
    assert.deepEqual(got, [{ type: 'status' }]);
    assert.equal(socket.destroyed, true);
  });
});
