import { closeReason } from '../../lib/protocol/close-codes';
import { fakeClient } from '../support/fake-client';

describe('closeReason', () => {
  it.each([
    [1001, 'Socket was disconnected'],
    [1005, 'Socket closed without status code'],
    [1006, 'Socket hung up'],
    [1009, 'Message was too big to process'],
    [4001, 'Client pong timed out'],
    [4005, 'Did not receive #handshake from client before timeout'],
    [4008, 'Server rejected handshake from client'],
    [4009, 'Server received a message before the client handshake'],
  ])('gives %i without a reason the standard text of sc-errors', (code, text) => {
    expect(closeReason(code, '')).toBe(text);
  });

  it('keeps the reason a close came with', () => {
    expect(closeReason(1006, 'proxy timeout')).toBe('proxy timeout');
  });

  it('has no text for codes outside the table (4010 to 4999 belong to applications)', () => {
    expect(closeReason(4321, '')).toBe('');
    expect(closeReason(1004, '')).toBe('');
  });
});

describe('a server close without a reason', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('is reported with the standard text, on the state and on the calls it fails', () => {
    const { client, states, open } = fakeClient({ reconnect: false });
    const socket = open();
    const failures: unknown[] = [];
    client.invoke('slow').subscribe({ error: (e: unknown) => failures.push(e) });
    socket.serverClose(4001);
    expect(states.at(-1)).toEqual({
      state: 'closed',
      attempt: 0,
      code: 4001,
      reason: 'Client pong timed out',
      error: failures[0],
    });
    expect(failures[0]).toMatchObject({
      closeCode: 4001,
      reason: 'Client pong timed out',
      phase: 'disconnect',
    });
    client.close();
  });
});
