// The pipeline as a process: `node examples/node-pipeline/main.mjs`, configured through the environment.
//
//   SC_URL           the SocketCluster server (default ws://127.0.0.1:8000/socketcluster/)
//   BATCH_WINDOW_MS  how long a batch collects readings, in ms (default 1000)
//   BATCH_MAX        the largest batch (default 500)
//
// On SIGTERM or SIGINT it stops consuming, stores and publishes the batch it was collecting, closes the client and
// exits with code 0 once nothing is left running (code 1 if the pipeline failed).

import { startPipeline } from './service.mjs';

const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const log = (...parts) => console.log(new Date().toISOString().slice(11, 23), ...parts);

const url = process.env.SC_URL ?? 'ws://127.0.0.1:8000/socketcluster/';
const pipeline = startPipeline({
  url,
  windowMs: Number(process.env.BATCH_WINDOW_MS ?? 1000),
  maxBatch: Number(process.env.BATCH_MAX ?? 500),
  log,
});

log(`pipeline started, pid ${process.pid}, server ${url}`);

pipeline.client.state$.subscribe((s) => {
  if (s.state === 'open') log(`connection open, socket id ${s.id}`);
  else if (s.state === 'closed' && s.code !== undefined) {
    const retry = s.retryIn === undefined ? '' : `, reconnecting in ${s.retryIn} ms`;
    log(`connection closed, code ${s.code}${retry}`);
  }
});
pipeline.client.errors$.subscribe((error) => log(`client diagnostic: ${error.code}: ${error.message}`));

pipeline.results$.subscribe(({ batch, ack, aggregate }) => {
  const sensors = count(Object.keys(aggregate.sensors).length, 'sensor');
  log(`batch ${ack.batch}: stored ${count(batch.length, 'reading')}, published aggregates of ${sensors}`);
});

pipeline.finished.catch((error) => {
  log(`pipeline failed: ${error.name}: ${error.message}`);
  void shutdown('failure', 1);
});

let shuttingDown = false;

/** Drains and closes the pipeline, then lets the process end by itself. */
async function shutdown(why, exitCode) {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`${why}: draining the current batch, then closing`);
  const { drained, received, batches, stored, failed } = await pipeline.stop();
  log(
    `closed${drained ? '' : ' (drain cut short)'}: ${received} readings received, ${stored} stored in ` +
      `${batches} batches, ${failed} lost`,
  );
  process.exitCode = exitCode;
  // The client has released its socket and timers, so the process exits now. Should anything keep it alive, this
  // timer (which does not itself hold the process) ends it with an error.
  setTimeout(() => {
    console.error('still running 5 s after close; exiting');
    process.exit(1);
  }, 5000).unref();
}

for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void shutdown(signal, 0));
