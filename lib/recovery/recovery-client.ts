import type { Observable } from 'rxjs';
import type { ChannelState } from '../channels/channel-state';
import type { ChannelOptions } from '../client/channel-options';
import type { InvokeOptions } from '../client/invoke-options';

/** What channel recovery needs of a client: any `Client` of rx-socketcluster fits. */
export interface RecoveryClient {
  channel(name: string, options?: ChannelOptions): Observable<unknown>;
  channelState$(name: string): Observable<ChannelState>;
  invoke(event: string, data: unknown, options?: InvokeOptions): Observable<unknown>;
}
