import { ProtocolError } from '../../lib/errors';
import { fakeClient } from '../support/fake-client';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('receiver()', () => {
  it('delivers the data of server transmits of that event to every subscriber, without replay', () => {
    const { client, open } = fakeClient();
    const a: unknown[] = [];
    const b: unknown[] = [];
    client.receiver('tick').subscribe((v) => a.push(v));
    const socket = open();
    socket.receive({ event: 'tick', data: 1 });
    client.receiver('tick').subscribe((v) => b.push(v));
    socket.receive({ event: 'tick', data: 2 });
    socket.receive({ event: 'other', data: 3 });
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([2]);
    client.close();
  });

  it('reports an event nobody listens to on errors$, and keeps working', () => {
    const { client, open, errors } = fakeClient();
    const seen: unknown[] = [];
    const subscription = client.receiver('tick').subscribe((v) => seen.push(v));
    const socket = open();
    subscription.unsubscribe();
    socket.receive({ event: 'tick', data: 1 });
    expect(errors).toEqual([new ProtocolError('unhandled-event', "No receiver for the event 'tick'")]);
    client.receiver('tick').subscribe((v) => seen.push(v));
    socket.receive({ event: 'tick', data: 2 });
    expect(seen).toEqual([2]);
    client.close();
  });

  it('processes a batch in order, responses and events mixed', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const log: string[] = [];
    client.receiver('e').subscribe((v) => log.push(`event ${String(v)}`));
    client.invoke('x').subscribe((v) => log.push(`response ${String(v)}`));
    const { cid } = socket.packets.at(-1)!;
    socket.receive([
      { event: 'e', data: 1 },
      { rid: cid, data: 'r' },
      { event: 'e', data: 2 },
    ]);
    expect(log).toEqual(['event 1', 'response r', 'event 2']);
    client.close();
  });

  it('applies the handshake reply before the next frame of the same read', () => {
    const { client, ws, states } = fakeClient();
    const seen: string[] = [];
    client.receiver('welcome').subscribe(() => seen.push(client.state.state));
    const socket = ws.last();
    socket.open();
    socket.receive({
      rid: socket.handshakeCid,
      data: { id: 's', pingTimeout: 1000, isAuthenticated: false },
    });
    socket.receive({ event: 'welcome' });
    expect(seen).toEqual(['open']);
    expect(states.map((s) => s.state)).toEqual(['idle', 'connecting', 'open']);
    client.close();
  });
});

describe('procedure()', () => {
  it('hands server invokes to subscribers and sends end(result) as the response', () => {
    const { client, open } = fakeClient();
    client.procedure<number, number>('double').subscribe((request) => {
      expect(request.procedure).toBe('double');
      request.end(request.data * 2);
      request.end(0); // only the first answer counts
      expect(request.answered).toBe(true);
    });
    const socket = open();
    socket.receive({ event: 'double', data: 21, cid: 7 });
    expect(socket.packets.at(-1)).toEqual({ rid: 7, data: 42 });
    expect(socket.packets.filter((p) => p.rid === 7)).toHaveLength(1);
    client.close();
  });

  it('sends error(err) as a serialised error with name, message and own fields', () => {
    const { client, open } = fakeClient();
    client.procedure('check').subscribe((request) => {
      const error = Object.assign(new Error('not allowed'), { name: 'Forbidden', status: 403 });
      request.error(error);
    });
    const socket = open();
    socket.receive({ event: 'check', cid: 3 });
    expect(socket.packets.at(-1)).toEqual({
      rid: 3,
      error: { name: 'Forbidden', message: 'not allowed', status: 403 },
    });
    client.close();
  });

  it('throws TypeError when the result cannot be encoded, leaving the request open for an error answer', () => {
    const { client, open } = fakeClient();
    let thrown: unknown;
    client.procedure('bad').subscribe((request) => {
      try {
        request.end({ big: 1n });
      } catch (error) {
        thrown = error;
        expect(request.answered).toBe(false);
        request.error(new Error('could not encode the result'));
      }
    });
    const socket = open();
    socket.receive({ event: 'bad', cid: 4 });
    expect(thrown).toBeInstanceOf(TypeError);
    expect(socket.packets.at(-1)).toEqual({
      rid: 4,
      error: { name: 'Error', message: 'could not encode the result' },
    });
    client.close();
  });

  it('answers an invoke of a procedure nobody handles with an error at once, and reports it', () => {
    const { client, open, errors } = fakeClient();
    const socket = open();
    socket.receive({ event: 'nobody', data: 1, cid: 9 });
    expect(socket.packets.at(-1)).toEqual({
      rid: 9,
      error: { name: 'UnhandledProcedureError', message: "No procedure 'nobody' on this client" },
    });
    expect(errors).toMatchObject([{ code: 'PROTOCOL_ERROR', kind: 'unhandled-procedure' }]);
    client.close();
  });
});

describe('bad input', () => {
  it('reports a frame that does not decode as a CodecError and keeps the connection', () => {
    const { client, open, errors, states } = fakeClient();
    const seen: unknown[] = [];
    client.receiver('ok').subscribe((v) => seen.push(v));
    const socket = open();
    socket.receive('{not json');
    socket.receive({ event: 'ok', data: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'CODEC_ERROR', name: 'CodecError' });
    expect((errors[0] as Error).cause).toBeInstanceOf(SyntaxError);
    expect(seen).toEqual([1]);
    expect(states.at(-1)!.state).toBe('open');
    client.close();
  });

  it('reports packets of no known shape', () => {
    const { client, open, errors } = fakeClient();
    const socket = open();
    socket.receive('42');
    socket.receive({ hello: 'world' });
    socket.receive([null]);
    expect(errors.map((e) => (e instanceof ProtocolError ? e.kind : e.code))).toEqual([
      'malformed-packet',
      'malformed-packet',
      'malformed-packet',
    ]);
    expect(client.state.state).toBe('open');
    client.close();
  });

  it('reports a response whose rid is no integer as unknown-rid, like one never issued', () => {
    const { client, open, errors } = fakeClient();
    const socket = open();
    const values: unknown[] = [];
    client.invoke('x').subscribe((v) => values.push(v));
    client.invoke('y').subscribe((v) => values.push(v));
    // Ids up to the highest issued are in range: a fraction between two of them still names no call.
    const { cid } = socket.packets.at(-1)!;
    for (const rid of [1.5, (cid as number) - 0.5, 999_999, -1]) {
      socket.receive({ rid, data: 'what?' });
    }
    expect(errors.map((e) => (e instanceof ProtocolError ? e.kind : e.code))).toEqual(
      Array<string>(4).fill('unknown-rid'),
    );
    expect(values).toEqual([]);
    expect(client.state.state).toBe('open');
    client.close();
  });

  it('reports a handshake reply with an unusable pingTimeout and watches with 30 s instead', () => {
    const { client, ws, errors } = fakeClient();
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive({ rid: socket.handshakeCid, data: { id: 's', pingTimeout: -5, isAuthenticated: false } });
    expect(errors).toMatchObject([{ code: 'PROTOCOL_ERROR', kind: 'bad-handshake-reply' }]);
    expect(client.state).toMatchObject({ state: 'open', pingTimeout: 30_000 });
    client.close();
  });

  it('reports a handshake reply without data and still opens', () => {
    const { client, ws, errors } = fakeClient();
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive({ rid: socket.handshakeCid });
    expect(errors).toMatchObject([{ code: 'PROTOCOL_ERROR', kind: 'bad-handshake-reply' }]);
    expect(client.state).toMatchObject({ state: 'open', pingTimeout: 30_000 });
    client.close();
  });
});
