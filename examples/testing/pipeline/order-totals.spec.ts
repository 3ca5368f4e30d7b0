import { delay, map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createFakeServer } from 'rx-socketcluster/testing';
import { saveOrderTotals, type OrdersApi, type Totals } from './order-totals';

let scheduler: TestScheduler;

beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});

it('saves the totals of each second with orders', () => {
  scheduler.run(({ cold, expectObservable }) => {
    const server = createFakeServer({ scheduler });
    // The database takes 20 ms to save.
    server.answer('saveTotals', (totals: Totals) => of(`saved ${totals.orders}`).pipe(delay(20)));
    const client = server.createClient<OrdersApi>();

    cold('100ms a 299ms b 1999ms c', {
      a: { id: 'a', amount: 5 },
      b: { id: 'b', amount: 7 },
      c: { id: 'c', amount: 1 },
    }).subscribe((order) => server.publish('orders', order));

    // Nothing in the second second: no save. Unsubscribed at 4 s; the server closes at 5 s.
    expectObservable(saveOrderTotals(client), '^ 3999ms !').toBe('1020ms x 1999ms y', {
      x: 'saved 2',
      y: 'saved 1',
    });
    scheduler.schedule(() => server.close(), 5000);
  });
});

it('keeps saving after a server restart: the client reconnects and subscribes again', () => {
  scheduler.run(({ expectObservable }) => {
    const server = createFakeServer({ scheduler });
    server.answer('saveTotals', (totals: Totals) => `saved ${totals.amount}`);
    const client = server.createClient<OrdersApi>({ backoff: { initialDelay: 300, randomness: 0 } });

    scheduler.schedule(() => server.publish('orders', { id: 'a', amount: 5 }), 100);
    // The server goes down at 500 ms; the client waits 300 ms, reconnects and subscribes again.
    scheduler.schedule(() => server.restart(), 500);
    scheduler.schedule(() => server.publish('orders', { id: 'b', amount: 7 }), 1500);

    const states = { i: 'idle', c: 'connecting', o: 'open', x: 'closed' };
    expectObservable(client.state$.pipe(map((state) => state.state)), '^ 1999ms !').toBe(
      '(ico) 495ms x 299ms (co)',
      states,
    );
    expectObservable(saveOrderTotals(client), '^ 2999ms !').toBe('1000ms x 999ms y', {
      x: 'saved 5',
      y: 'saved 7',
    });
    scheduler.schedule(() => server.close(), 3000);
  });
});
