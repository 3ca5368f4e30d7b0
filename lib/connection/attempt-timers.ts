import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';

/** The owner of an attempt's timers: what each timer does when it fires. */
export interface TimedAttempt {
  /** The connect timeout passed before the handshake completed. */
  connectTimedOut(): void;
  /** The watchdog's check: closes the connection when it is idle, else returns the time left, in ms. */
  checkIdle(): number;
}

// The timers' work is in shared functions over the attempt (the action's state): no closure per attempt, and the
// scheduler is the client's (virtual in tests).
function connectTimeout(this: SchedulerAction<TimedAttempt>, attempt?: TimedAttempt): void {
  attempt?.connectTimedOut();
}

// Re-arms itself for the rest of the ping timeout while frames arrive.
function watch(this: SchedulerAction<TimedAttempt>, attempt?: TimedAttempt): void {
  const left = attempt ? attempt.checkIdle() : 0;
  if (left > 0) this.schedule(attempt, left);
}

/** Arms the connect timeout of `attempt`. */
export function armConnectTimer(scheduler: SchedulerLike, attempt: TimedAttempt, ms: number): Subscription {
  return scheduler.schedule(connectTimeout, ms, attempt);
}

/**
 * Arms the ping watchdog of `attempt`: one timer for the connection's life, not one per frame. It fires after
 * `ms`, and re-arms for what is left of the ping timeout while frames keep arriving.
 */
export function armWatchdog(scheduler: SchedulerLike, attempt: TimedAttempt, ms: number): Subscription {
  return scheduler.schedule(watch, ms, attempt);
}
