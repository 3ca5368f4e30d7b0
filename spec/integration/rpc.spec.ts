import { firstValueFrom, take, toArray } from 'rxjs';
import { AckTimeoutError, RemoteError, createClient, type Client } from '../../lib/node';
import { startTestServer, type ServerSocket, type TestServer } from '../support/test-server';
import { until } from '../support/wait';

// RPC in both directions and server events, against a real socketcluster-server v20 in this process.

let server: TestServer;
let client: Client;

beforeEach(async () => {
  server = await startTestServer();
  client = createClient({ url: server.url });
});

afterEach(async () => {
  client.close();
  await server.stop();
});

async function serverSocket(): Promise<ServerSocket> {
  client.connect();
  await until(() => server.sockets.length > 0);
  return server.sockets[0];
}

describe('invoke()', () => {
  it('gets the answer of a server procedure', async () => {
    await expect(firstValueFrom(client.invoke('sum', { a: 20, b: 22 }))).resolves.toBe(42);
    await expect(firstValueFrom(client.invoke('echo', { nested: [1, 'two', null] }))).resolves.toEqual({
      nested: [1, 'two', null],
    });
  });

  it('rebuilds a server error as RemoteError with name, message and extra fields', async () => {
    const error = await firstValueFrom(client.invoke('sum', { a: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      remoteName: 'BadArgs',
      message: 'a and b must be numbers',
      details: { field: 'b' },
    });
  });

  it('times out when the server answers too late', async () => {
    // Open first: the timeout counts from subscription, and connecting can take more than 50 ms on a busy machine
    // (the call then fails unsent, with CallNotSentError, which is another test's subject).
    await firstValueFrom(client.whenOpen());
    const error = await firstValueFrom(client.invoke('slow', 150, { timeout: 50 })).catch((e: unknown) => e);
    expect(error).toEqual(new AckTimeoutError('slow', 50));
  });

  it('times out on a procedure the server does not have (the server sends nothing back)', async () => {
    const error = await firstValueFrom(client.invoke('noSuchProcedure', 1, { timeout: 300 })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ACK_TIMEOUT', event: 'noSuchProcedure' });
    expect(client.state.state).toBe('open');
  });

  it('round-trips binary data, which comes back as Uint8Array (base64 form in JSON, bin in MessagePack)', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const answer = await firstValueFrom(client.invoke<{ bytes: Uint8Array }>('echo', { bytes }));
    expect(answer.bytes).toBeInstanceOf(Uint8Array);
    expect([...answer.bytes]).toEqual([0, 1, 2, 250, 255]);
  });
});

describe('transmit()', () => {
  it('reaches the server receiver, in order, including frames sent before the connection opened', async () => {
    const received: unknown[] = [];
    server = await restartWith((socket) => {
      void (async () => {
        for await (const data of socket.receiver('note')) received.push(data);
      })();
    });
    client.transmit('note', 1);
    client.transmit('note', 2);
    await until(() => client.state.state === 'open');
    client.transmit('note', 3);
    await until(() => received.length === 3);
    expect(received).toEqual([1, 2, 3]);
  });
});

describe('receiver()', () => {
  it('receives the events the server transmits', async () => {
    const ticks = firstValueFrom(client.receiver<{ i: number }>('tick').pipe(take(3), toArray()));
    await firstValueFrom(client.invoke('pushMe', { event: 'tick', count: 3 }));
    await expect(ticks).resolves.toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });
});

describe('procedure()', () => {
  it('answers the server invoke with end(result)', async () => {
    client.procedure<number, number>('double').subscribe((request) => request.end(request.data * 2));
    await expect(firstValueFrom(client.invoke('callMe', { procedure: 'double', data: 21 }))).resolves.toEqual(
      {
        result: 42,
      },
    );
  });

  it('answers the server invoke with error(err), which the server receives by name and message', async () => {
    client.procedure('deny').subscribe((request) => {
      request.error(Object.assign(new Error('not today'), { name: 'Denied' }));
    });
    await expect(firstValueFrom(client.invoke('callMe', { procedure: 'deny' }))).resolves.toEqual({
      error: { name: 'Denied', message: 'not today' },
    });
  });

  it('fails the server call at once when no one handles the procedure', async () => {
    const socket = await serverSocket();
    const started = Date.now();
    const error = await socket.invoke('missing', 1).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'UnhandledProcedureError' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('bad input from the server', () => {
  it('reports an undecodable frame and an unknown event on errors$ and keeps working', async () => {
    const errors: { code: string }[] = [];
    client.errors$.subscribe((e) => errors.push(e));
    const socket = await serverSocket();
    socket.send('this is not json');
    socket.transmit('nobodyListens', 1);
    await until(() => errors.length === 2);
    expect(errors.map((e) => e.code)).toEqual(['CODEC_ERROR', 'PROTOCOL_ERROR']);
    await expect(firstValueFrom(client.invoke('echo', 'still here'))).resolves.toBe('still here');
  });
});

async function restartWith(onConnection: (socket: ServerSocket) => void): Promise<TestServer> {
  client.close();
  await server.stop();
  const next = await startTestServer({ onConnection });
  client = createClient({ url: next.url });
  return next;
}
