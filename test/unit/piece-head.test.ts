import { endsWithPieceHead } from '../../src/adapters/webtorrent-wires.js';

// The prompt ACK (webtorrent-wires.ts) fires when a segment ends with a piece message's head whose
// block the peer's kernel holds back: only then, never for other messages or a head with its block.
const head = (index: number, offset: number, block = 16_384) => {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(9 + block, 0);
  b[4] = 7;
  b.writeUInt32BE(index, 5);
  b.writeUInt32BE(offset, 9);
  return b;
};

test('a piece head at the end of a segment, alone or after other messages', () => {
  expect(endsWithPieceHead(head(864, 0))).toBe(true);
  const unchoke = Buffer.from([0, 0, 0, 1, 1]);
  expect(endsWithPieceHead(Buffer.concat([unchoke, head(3, 16_384)]))).toBe(true);
});

test('not: a head followed by its block, other messages, short segments, absurd lengths', () => {
  expect(endsWithPieceHead(Buffer.concat([head(1, 0), Buffer.alloc(16_384)]))).toBe(false);
  const have = Buffer.from([0, 0, 0, 5, 4, 0, 0, 0, 9]);
  expect(endsWithPieceHead(have)).toBe(false);
  expect(endsWithPieceHead(Buffer.from([0, 0, 0, 0]))).toBe(false); // keep-alive
  expect(endsWithPieceHead(Buffer.alloc(12))).toBe(false);
  expect(endsWithPieceHead(head(1, 0, 0))).toBe(false);
  expect(endsWithPieceHead(head(1, 0, 4 * 1024 * 1024))).toBe(false);
});
