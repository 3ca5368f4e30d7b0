import { ChangeDetectionStrategy, Component, computed, signal } from '@angular/core';
import { firstValueFrom, scan } from 'rxjs';
import { clientSignal, connectionStateSignal, injectSocketCluster } from 'rx-socketcluster/angular';

/** A message of the `news` channel. */
export interface News {
  title: string;
}

/** How many channel messages the feed keeps. */
const FEED_SIZE = 5;

/**
 * Shows the connection state, the last messages of the `news` channel, and a button that asks the server's `sum`
 * procedure for 2 + 3. Standalone, OnPush and free of zone.js: every value on screen is a signal.
 */
@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>SocketCluster</h1>
    <p>
      Connection: <strong>{{ connection().state }}</strong>
      @if (retryIn(); as ms) {
        (retrying in {{ ms }} ms)
      }
    </p>

    <h2>News</h2>
    <ul>
      @for (item of news(); track $index) {
        <li>{{ item.title }}</li>
      } @empty {
        <li>Nothing yet.</li>
      }
    </ul>

    <h2>RPC</h2>
    <button type="button" (click)="sum(2, 3)" [disabled]="pending()">Ask the server for 2 + 3</button>
    @if (result() !== undefined) {
      <p>The server says {{ result() }}.</p>
    }
    @if (error(); as message) {
      <p role="alert">{{ message }}</p>
    }
  `,
})
export class AppComponent {
  readonly #client = injectSocketCluster();

  /** `idle`, `connecting`, `open` or `closed`; creating it does not open the connection. */
  readonly connection = connectionStateSignal();
  readonly retryIn = computed(() => {
    const state = this.connection();
    return state.state === 'closed' ? state.retryIn : undefined;
  });

  /** The last messages of `news`, newest first. Subscribing opens the connection. */
  readonly news = clientSignal(
    (client) =>
      client
        .channel<News>('news')
        .pipe(scan((feed: News[], item) => [item, ...feed].slice(0, FEED_SIZE), [])),
    { initialValue: [] },
  );

  readonly pending = signal(false);
  readonly result = signal<number | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);

  /** Invokes `sum` on the server and shows the answer or the error. */
  async sum(a: number, b: number): Promise<void> {
    this.pending.set(true);
    this.error.set(undefined);
    try {
      this.result.set(await firstValueFrom(this.#client.invoke<number>('sum', { a, b })));
    } catch (err) {
      this.error.set(err instanceof Error ? err.message : String(err));
    } finally {
      this.pending.set(false);
    }
  }
}
