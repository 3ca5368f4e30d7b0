import { computed, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { channelSignal, connectionStateSignal, injectSocketCluster } from 'rx-socketcluster/angular';

export interface CartItem {
  sku: string;
  quantity: number;
}

export interface Deal {
  sku: string;
  discount: number;
}

export interface ShopApi {
  invoke: { getCart: { request: { userId: string }; response: CartItem[] } };
  channels: { deals: Deal };
}

/** A shopping cart loaded over RPC, the deal of the day from a channel, and whether the shop is reachable. */
@Injectable()
export class CartService {
  readonly #client = injectSocketCluster<ShopApi>();
  readonly #items = signal<CartItem[]>([]);

  readonly items = this.#items.asReadonly();
  readonly count = computed(() => this.items().reduce((sum, item) => sum + item.quantity, 0));
  readonly deal = channelSignal<Deal>('deals');
  readonly connection = connectionStateSignal();
  readonly offline = computed(() => this.connection().state === 'closed');

  async load(userId: string): Promise<void> {
    this.#items.set(await firstValueFrom(this.#client.invoke('getCart', { userId })));
  }
}
