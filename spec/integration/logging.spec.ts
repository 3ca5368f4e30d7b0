import { inspect } from 'node:util';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { logging, type Logger } from '../../lib/diagnostics';
import type { AuthState } from '../../lib/node';
import { Harness, ag, open } from '../support/harness';

// The `trace` log against a real socketcluster-server v20 in this process (with MessagePack in the
// integration-msgpack project): the handshake and an invoke show up, decoded, and no token does.

const harness = new Harness();

afterEach(async () => {
  await harness.closeAll();
});

/** A logger that keeps every call's arguments. */
function recorder() {
  const calls: unknown[][] = [];
  const record = (...args: unknown[]) => calls.push(args);
  const logger: Logger = { error: record, warn: record, info: record, debug: record };
  return { logger, calls, texts: () => calls.map((args) => String(args[0])) };
}

it('traces the handshake and an invoke, and never the token', async () => {
  const server = await harness.start();
  const key = ag(server).signatureKey;
  const signed = await ag(server).auth.signToken({ username: 'ann' }, key);
  const { logger, calls, texts } = recorder();
  const client = harness.connect(server, { features: [logging({ level: 'trace', logger })] });
  await open(client);

  await expect(firstValueFrom(client.invoke('sum', { a: 1, b: 2 }))).resolves.toBe(3);
  await firstValueFrom(client.authenticate(signed));
  // The server signs a second token and sends it with #setAuthToken.
  await firstValueFrom(client.invoke('login', { payload: { username: 'bob' } }));
  const state = await firstValueFrom(
    client.authState$.pipe(
      filter((s: AuthState) => s.state === 'authenticated' && s.claims.username === 'bob'),
      timeout(3000),
    ),
  );
  const fromServer = state.state === 'authenticated' ? state.token : '';
  client.close();

  const lines = texts();
  expect(lines).toEqual(
    expect.arrayContaining([
      `[rx-socketcluster] connecting to ${server.url} (attempt 1)`,
      '[rx-socketcluster] > #handshake cid 1',
      '[rx-socketcluster] < rid 1',
      expect.stringMatching(/^\[rx-socketcluster\] open: id \S+, pingTimeout 1000 ms$/),
      '[rx-socketcluster] > sum cid 2',
      '[rx-socketcluster] < rid 2',
      expect.stringMatching(/^\[rx-socketcluster\] > #authenticate cid \d+$/),
      expect.stringMatching(/^\[rx-socketcluster\] < #setAuthToken/),
    ]),
  );
  const sum = calls.find((args) => args[0] === '[rx-socketcluster] > sum cid 2');
  expect(sum?.[1]).toEqual({ event: 'sum', data: { a: 1, b: 2 }, cid: 2 });
  const answer = calls.find((args) => args[0] === '[rx-socketcluster] < rid 2');
  expect(answer?.[1]).toMatchObject({ rid: 2, data: 3 });

  const written = calls.map((args) => inspect(args, { depth: Infinity })).join('\n');
  expect(fromServer).not.toBe('');
  for (const token of [signed, fromServer]) {
    expect(written).not.toContain(token);
    expect(written).not.toContain(token.split('.')[2]);
  }
  expect(written).toContain('[redacted]');
});
