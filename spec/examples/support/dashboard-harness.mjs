// Runs the dashboard's server in a child process for spec/examples/dashboard.spec.ts (Jest cannot import ES
// modules), driven over the IPC channel: it sends `ready` (with the URL) once listening; the parent sends `restart`
// (answered with `restarted`) and `stop`, after which this process closes the channel and exits.

import { startDashboard } from '../../../examples/dashboard/serve.mjs';

const dashboard = await startDashboard({ port: 0 });
process.send({ type: 'ready', url: dashboard.url, port: dashboard.port });

let stopping;
const stop = () => (stopping ??= dashboard.stop().then(() => process.disconnect?.()));

process.on('message', async (message) => {
  try {
    if (message.type === 'restart') {
      await dashboard.restart();
      process.send({ type: 'restarted' });
    } else if (message.type === 'stop') {
      await stop();
    }
  } catch (error) {
    process.send?.({ type: 'error', message: String(error?.stack ?? error) });
  }
});
// The parent went away: stop too.
process.on('disconnect', () => void stop());
