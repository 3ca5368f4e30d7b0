import { bufferTime, concatMap, filter, map, type Observable } from 'rxjs';
import type { Client } from 'rx-socketcluster';

export interface Order {
  id: string;
  amount: number;
}

export interface Totals {
  orders: number;
  amount: number;
}

export interface OrdersApi {
  invoke: { saveTotals: { request: Totals; response: string } };
  channels: { orders: Order };
}

/**
 * Every `period` ms with orders, sums the orders of the `orders` channel and saves the totals through the
 * `saveTotals` procedure; emits the receipt of each save.
 */
export function saveOrderTotals(client: Client<OrdersApi>, period = 1000): Observable<string> {
  return client.channel('orders').pipe(
    bufferTime(period),
    filter((batch) => batch.length > 0),
    map((batch) => ({ orders: batch.length, amount: batch.reduce((sum, order) => sum + order.amount, 0) })),
    concatMap((totals) => client.invoke('saveTotals', totals)),
  );
}
