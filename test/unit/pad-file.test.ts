import { defaultFileIndex } from '../../src/domain/default-file.js';
import { isPadFile } from '../../src/domain/pad-file.js';

test.each([
  ['Movie/.pad/0', true],
  ['Movie/.pad/1234', true],
  ['.pad/7', true],
  ['Movie/.pad/sub/7', false],
  ['Movie/.padding/7', false],
  ['Movie/x.pad/7', false],
  ['Movie/.pad', false],
  ['Movie/movie.mkv', false],
])('isPadFile(%s) = %s', (path, expected) => {
  expect(isPadFile(path)).toBe(expected);
});

test('the default file is never a pad file, even when it is the largest and nothing is a video', () => {
  const files = [
    { index: 0, name: 'notes.txt', path: 'T/notes.txt', length: 10 },
    { index: 1, name: '0', path: 'T/.pad/0', length: 16_000 },
  ];
  expect(defaultFileIndex(files)).toBe(0);
});
