import type { BehaviorSubject } from 'rxjs';
import type { CommandMessage, EngineCommands, EngineEvents, EngineView } from '../engine/port';
import type { Codec } from '../codec/codec';
import { featureOf, type ClientFeature } from '../engine/feature';
import { WARN } from '../logging/log';
import type { LoggingFeature } from '../logging/logging';
import type { TokenRefreshFeature } from '../refresh/token-refresh';
import { leadOrFollow } from './leader-tab';
import {
  shareKey,
  type SharedOptions,
  type SharedWorkerLike,
  type ShareMode,
  type ShareState,
} from './messages';
import { ShareHub } from './share-hub';
import type { ShareScope } from './share-scope';
import { joinSharedWorker } from './shared-worker-tab';
import { TabPort } from './tab-port';

/** The facade, as sharing attaches a port to it. */
export interface SharedFacade extends EngineEvents {
  attach(port: EngineCommands & EngineView): void;
}

/** The sharing settings of a client. */
export interface ShareConfig {
  readonly share: ShareMode;
  readonly name: string;
  readonly worker: ((name: string) => SharedWorkerLike) | undefined;
  /**
   * The client's features, where a `logging()` feature lends its log, and a `tokenRefresh()` feature its function
   * (which a shared worker asks a tab to run) and its margin (which a shared worker's refresh takes).
   */
  readonly features: readonly ClientFeature[];
  /** The codec (a shared worker must have one of the same name). */
  readonly codec: Codec;
}

/** The options a shared worker can take from a tab: those that are plain data. */
const PLAIN_OPTIONS = [
  'url',
  'protocolVersion',
  'connectTimeout',
  'ackTimeout',
  'batchWrites',
  'pingTimeoutDisabled',
  'reconnect',
  'maxAttempts',
  'outboxLimit',
  'outboxMaxAge',
  'maxPayload',
  'authTokenKey',
] as const;

function plainOptions(
  options: Readonly<Record<string, unknown>>,
  codec: string,
  refresh: TokenRefreshFeature | undefined,
): SharedOptions {
  const plain: Record<string, unknown> = { codec };
  for (const key of PLAIN_OPTIONS) if (options[key] !== undefined) plain[key] = options[key];
  if (Array.isArray(options.urls)) plain.urls = options.urls;
  if (refresh) plain.refreshMargin = refresh.margin;
  return plain as unknown as SharedOptions;
}

/** A tab id: random, and unique enough among one browser's tabs (`crypto.randomUUID` needs a secure context). */
function tabId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Attaches the facade to its engine when the client shares its connection: to a {@link TabPort} that joins a
 * shared worker (`shared-worker`, or `auto` with a `worker` where the browser has `SharedWorker`) or the leader
 * tab (`leader-tab`, or `auto` otherwise, where the browser has Web Locks and `BroadcastChannel`); else to an
 * engine of its own, as with `share: 'off'`. The commands the facade gave while this module loaded (`queued`) are
 * replayed on the port, in order. `share$` is the client's `share$`, which the port keeps up to date.
 * @internal
 */
export function attachShared(
  facade: SharedFacade,
  config: ShareConfig,
  options: Readonly<Record<string, unknown>>,
  make: (events: EngineEvents) => EngineCommands & EngineView,
  queued: readonly CommandMessage[],
  share$: BehaviorSubject<ShareState>,
  scope: ShareScope = globalThis,
): void {
  const { share, name } = config;
  const log = featureOf<LoggingFeature>(config.features, 'logging')?.log;
  const locks = scope.navigator?.locks;
  let worker: SharedWorkerLike | undefined;
  if (share !== 'leader-tab' && config.worker && typeof scope.SharedWorker === 'function') {
    try {
      worker = config.worker(name);
    } catch (error) {
      // A worker the page may not start (a content security policy, say): the tabs elect a leader instead.
      log?.write(WARN, 'share: the shared worker could not start', error);
    }
  }
  const Channel = scope.BroadcastChannel;
  const canLead = share !== 'shared-worker' && locks !== undefined && typeof Channel === 'function';
  let port: (EngineCommands & EngineView) | undefined;
  if (worker) {
    const refresh = featureOf<TokenRefreshFeature>(config.features, 'token-refresh');
    const tab = new TabPort(
      tabId(),
      'shared-worker',
      facade,
      share$,
      log,
      plainOptions(options, config.codec.name, refresh),
      refresh?.refresh,
    );
    tab.alone = () => make(facade);
    joinSharedWorker(tab, worker, locks);
    port = tab;
  } else if (canLead) {
    const tab = new TabPort(tabId(), 'leader-tab', facade, share$, log);
    tab.alone = () => make(facade);
    const key = shareKey(name);
    leadOrFollow(
      tab,
      locks,
      new Channel(key),
      key,
      (holder) => new ShareHub((events) => ({ engine: make(events), codec: config.codec }), holder, false),
    );
    port = tab;
  } else {
    log?.write(
      WARN,
      `share: '${share}' is not available in this browser; this client holds its own connection`,
    );
    port = make(facade);
    share$.next({ mode: 'off', role: 'alone', tabs: 1, tab: '', holder: '' });
    share$.complete();
  }
  facade.attach(port);
  for (const { name: command, args } of queued) {
    (port[command] as (...values: unknown[]) => void).apply(port, args);
  }
}
