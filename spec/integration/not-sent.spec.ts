import { firstValueFrom } from 'rxjs';
import { CallNotSentError, createClient, type Client } from '../../lib/node';
import { startTestServer, type TestServer } from '../support/test-server';
import { closedPort } from '../support/ports';

// A call that no connection carried before its timeout says so; a call the server got and did not answer keeps
// AckTimeoutError. Against a port with nothing listening, and against a real socketcluster-server.

let client: Client | undefined;
let server: TestServer | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.stop();
  server = undefined;
});

it('fails a call as not sent when nothing listens, with the attempts and the last failure', async () => {
  const port = await closedPort();
  client = createClient({ url: `ws://127.0.0.1:${port}/socketcluster/`, reconnectDelay: () => 100 });
  const error: unknown = await firstValueFrom(client.invoke('history', null, { timeout: 1500 })).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallNotSentError);
  const notSent = error as CallNotSentError;
  expect(notSent).toMatchObject({ code: 'CALL_NOT_SENT', event: 'history', timeout: 1500 });
  // Retries every 100 ms for 1.5 s: several attempts, each refused (a 1006 close, the cause in ws's error).
  expect(notSent.attempts).toBeGreaterThan(1);
  expect(notSent.lastFailure).toBe(
    `1006 Connection refused: is the server running? (connect ECONNREFUSED 127.0.0.1:${port})`,
  );
  expect(notSent.message).toMatch(/^'history' was not sent: no connection within 1500 ms \(\d+ attempts; /);
});

it('keeps AckTimeoutError for a call the server received and did not answer', async () => {
  server = await startTestServer();
  client = createClient({ url: server.url });
  // The server's `slow` procedure answers after 1 s: too late for a 300 ms timeout.
  const error: unknown = await firstValueFrom(client.invoke('slow', 1000, { timeout: 300 })).catch(
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: 'ACK_TIMEOUT', event: 'slow', timeout: 300 });
});
