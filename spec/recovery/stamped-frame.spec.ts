import { publishPrefix, stampedFrame } from '../../lib/server/stamped-frame';

// The server companion makes the stamped frame of a message from the broker's frame of it. With the default codec
// (sc-formatter) the result must be the very text that encoding the stamped packet gives; with any other frame
// there is no result and the companion encodes the packet itself.

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the server's default codec, untyped CommonJS
const formatter = require('sc-formatter') as { encode(value: unknown): string };

const publish = (channel: string, data: unknown) =>
  formatter.encode({ event: '#publish', data: { channel, data } });

it.each([
  ['an object', 'prices', { t: 1234.5, i: 7, text: 'hello' }],
  ['text that holds braces and quotes', 'prices', 'a "}}" b {"data":1}'],
  ['a number', 'prices', 42],
  ['null', 'prices', null],
  ['an array', 'prices', [1, { a: [2] }, 'x']],
  ['binary, as sc-formatter wraps it in base64', 'prices', { bytes: Buffer.from([1, 2, 3]) }],
  ['a channel name with quotes and non-ASCII', 'a "b" \\ é/✓', { ok: true }],
])('gives the encoding of the stamped packet for %s', (_, channel, data) => {
  const frame = stampedFrame(publish(channel, data), publishPrefix(channel), 17);
  expect(frame).toBe(
    formatter.encode({ event: '#publish', data: { channel, data: { $seq: 17, $data: data } } }),
  );
});

it('gives nothing for a frame it cannot read as the JSON of that message', () => {
  const frame = publish('prices', { n: 1 });
  const prefix = publishPrefix('prices');
  // Another channel's frame, a binary frame, a message without data, and text of another shape.
  expect(stampedFrame(frame, publishPrefix('other'), 1)).toBeUndefined();
  expect(stampedFrame(Buffer.from(frame), prefix, 1)).toBeUndefined();
  expect(stampedFrame(publish('prices', undefined), prefix, 1)).toBeUndefined();
  expect(
    stampedFrame(
      JSON.stringify({ event: '#publish', data: { channel: 'prices', data: 1 } }, null, 1),
      prefix,
      1,
    ),
  ).toBeUndefined();
  expect(stampedFrame(`${frame} `, prefix, 1)).toBeUndefined();
  expect(stampedFrame(undefined, prefix, 1)).toBeUndefined();
});
