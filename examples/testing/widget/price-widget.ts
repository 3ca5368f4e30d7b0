import { combineLatest, map, startWith, type Subscription } from 'rxjs';
import type { Client, ConnectionState } from 'rx-socketcluster';

export interface Quote {
  price: number;
}

export interface PricesApi {
  channels: Record<`price:${string}`, Quote>;
}

/** What the widget writes to: an `HTMLElement` in a page, a plain object in a test. */
export interface WidgetTarget {
  textContent: string | null;
  className: string;
}

function status(state: ConnectionState): string {
  if (state.state === 'open') return 'live';
  if (state.state === 'closed' && state.retryIn !== undefined) {
    return `reconnecting in ${String(Math.ceil(state.retryIn / 1000))} s`;
  }
  return state.state;
}

/**
 * Shows the latest price of `symbol` from its channel (`price:<symbol>`) and the state of the connection, until
 * the returned subscription is unsubscribed.
 */
export function mountPriceWidget(
  client: Client<PricesApi>,
  symbol: string,
  target: WidgetTarget,
): Subscription {
  const quotes = client.channel(`price:${symbol}`).pipe(startWith(undefined));
  return combineLatest([client.state$, quotes])
    .pipe(
      map(([state, quote]) => ({
        text: `${symbol} ${quote ? quote.price.toFixed(2) : '-'} (${status(state)})`,
        className: state.state === 'open' ? 'price' : 'price stale',
      })),
    )
    .subscribe(({ text, className }) => {
      target.textContent = text;
      target.className = className;
    });
}
