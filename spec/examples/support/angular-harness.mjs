// Runs the Angular example's server in a child process for spec/examples/angular.spec.ts (Jest cannot import ES
// modules), driven over the IPC channel: it sends `ready` (with the URL) once the application is bundled and the
// server listens, or `error` if that fails; the parent sends `stop`, after which this process closes the channel
// and exits.

import { startAngularExample } from '../../../examples/angular/serve.mjs';

const disconnect = () => {
  if (process.connected) process.disconnect();
};

let example;
try {
  // Headlines four times a second, so that the test sees several quickly.
  example = await startAngularExample({ port: 0, intervalMs: 250 });
  process.send({ type: 'ready', url: example.url });
} catch (error) {
  process.send({ type: 'error', message: String(error?.stack ?? error) }, disconnect);
}

let stopping;
const stop = () => (stopping ??= Promise.resolve(example?.stop()).then(disconnect));

process.on('message', (message) => {
  if (message.type === 'stop') void stop();
});
// The parent went away: stop too.
process.on('disconnect', () => void stop());
