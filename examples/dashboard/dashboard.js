// The dashboard: a live line chart of the values published on a channel, and a badge showing the connection
// state. Loaded by index.html, whose import map resolves `rx-socketcluster` to the package's browser bundle and
// `rxjs` to an ES module build of rxjs.

import { animationFrameScheduler, auditTime, scan } from 'rxjs';
import { createClient } from 'rx-socketcluster';

const query = new URLSearchParams(location.search);
const CHANNEL = query.get('channel') ?? 'metrics';
/** "Share across tabs": one connection for every tab of this browser that has the switch on (docs/sharing.md). */
const SHARE = query.get('share') === '1';
/** The time the chart shows, in ms. */
const SPAN_MS = 20_000;
/** A longer silence between two values breaks the line (a reconnect shows as a gap). */
const GAP_MS = 500;
/** The plot area, in the SVG's viewBox units. */
const PLOT = { left: 44, top: 10, width: 704, height: 260 };

const el = (id) => document.getElementById(id);
const [badge, detail, chart, line, last, grid] = ['badge', 'detail', 'chart', 'line', 'last', 'grid'].map(el);
el('channel').textContent = `· channel ${CHANNEL}`;

// The page's own origin: the client turns http: into ws: (and https: into wss:). With the switch on, a shared
// worker holds the connection for every tab (or, in a browser without SharedWorker, a leader tab does); the worker's
// script is the package's ready-made one, served from dist/browser/ like the bundle.
const client = createClient({
  url: new URL('/socketcluster/', location.href).href,
  ...(SHARE && {
    share: 'auto',
    name: 'dashboard',
    worker: (name) =>
      new SharedWorker('/dist/browser/rx-socketcluster.worker.min.mjs', { type: 'module', name }),
  }),
});

// ------------------------------------------------------------------------------------------- share switch

const shareSwitch = el('share');
shareSwitch.checked = SHARE;
shareSwitch.addEventListener('change', () => {
  if (shareSwitch.checked) query.set('share', '1');
  else query.delete('share');
  location.search = query.toString();
});
client.share$.subscribe((s) => {
  el('tabs').textContent = s.mode === 'off' ? '' : `${s.role} · ${s.tabs} tab${s.tabs === 1 ? '' : 's'}`;
});

// ------------------------------------------------------------------------------------------- connection badge

client.state$.subscribe((s) => {
  badge.textContent = s.state;
  badge.className = `badge ${s.state}`;
  detail.textContent = describe(s);
});

/** The details of a connection state, for the line next to the badge. */
function describe(s) {
  switch (s.state) {
    case 'connecting':
      return s.attempt > 1 ? `attempt ${s.attempt}` : '';
    case 'open':
      return `socket id ${s.id}`;
    default: {
      if (s.code === undefined) return '';
      const retry = s.retryIn === undefined ? '' : `, retrying in ${(s.retryIn / 1000).toFixed(1)} s`;
      return `code ${s.code}${retry}`;
    }
  }
}

// ------------------------------------------------------------------------------------------- chart

client
  .channel(CHANNEL)
  .pipe(
    // Keep the values of the last SPAN_MS, and count them all.
    scan(
      ({ received, points }, point) => ({
        received: received + 1,
        points: [...points.filter((p) => p.at > point.at - SPAN_MS), point],
      }),
      { received: 0, points: [] },
    ),
    // Draw at most once per frame, with the latest state.
    auditTime(0, animationFrameScheduler),
  )
  .subscribe({
    next: draw,
    // The server refused the subscription, or kicked the page out of the channel.
    error: (error) => (detail.textContent = `${error.name}: ${error.message}`),
  });

function draw({ received, points }) {
  const values = points.map((p) => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = Math.max((max - min) * 0.1, 1);
  const [low, high] = [min - pad, max + pad];
  const end = points[points.length - 1].at;

  const x = (at) => PLOT.left + PLOT.width * (1 - (end - at) / SPAN_MS);
  const y = (value) => PLOT.top + PLOT.height * (1 - (value - low) / (high - low));

  let d = '';
  points.forEach((p, i) => {
    const jump = i === 0 || p.at - points[i - 1].at > GAP_MS;
    d += `${jump ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`;
  });
  line.setAttribute('d', d);
  const newest = points[points.length - 1];
  last.setAttribute('cx', x(newest.at).toFixed(1));
  last.setAttribute('cy', y(newest.value).toFixed(1));

  // Four horizontal lines with their values, and the time axis.
  let svg = '';
  for (let i = 0; i <= 4; i++) {
    const value = low + ((high - low) * i) / 4;
    const at = y(value).toFixed(1);
    svg += `<line x1="${PLOT.left}" x2="${PLOT.left + PLOT.width}" y1="${at}" y2="${at}"></line>`;
    const label = value.toFixed(high - low < 20 ? 1 : 0);
    svg += `<text x="${PLOT.left - 6}" y="${at}" dy="4" text-anchor="end">${label}</text>`;
  }
  for (const seconds of [20, 15, 10, 5, 0]) {
    const at = x(end - seconds * 1000).toFixed(1);
    const label = seconds === 0 ? 'now' : `−${seconds} s`;
    svg += `<text x="${at}" y="${PLOT.top + PLOT.height + 18}" text-anchor="middle">${label}</text>`;
  }
  grid.innerHTML = svg;

  chart.dataset.points = String(received);
  el('latest').textContent = newest.value.toFixed(2);
  el('min').textContent = min.toFixed(2);
  el('max').textContent = max.toFixed(2);
  el('received').textContent = String(received);
}
