// Turns the measurements of bench/run.mjs into the markdown report: one table per workload (medians, and each
// client's ratio to raw: the median of the per-round ratios, then the ratio of every round; for the rows that use
// every client as its README shows, rx-socketcluster's ratio to socketcluster-client too) and the budget table of
// DESIGN.md and issue 20.

export const CLIENTS = ['raw', 'rx', 'official'];
const LABELS = {
  raw: 'raw `ws`',
  rx: 'rx-socketcluster',
  'rx-changes': 'rx-socketcluster, one `channelChanges$`',
  'rx-recover': 'rx-socketcluster, `recoverChannel` + `messages()`',
  official: 'socketcluster-client',
};
const kindOf = (workload) => workload.replace(/-\d+$/, '');

// The rows that drive every client as its README shows: default options, every call awaited, both kinds of publish.
const AS_USERS_WRITE = new Set([
  'rpc-awaited-latency',
  'rpc-awaited-throughput',
  'pubsub-transmit',
  'pubsub-awaited',
]);
// The rows of the earlier reports, which subscribe to rx-socketcluster's calls with callbacks and turn reconnect
// off: the same measurements under the same workload names, titled as what they are.
const CALLBACK_STYLE = new Set(['rpc-latency', 'rpc-throughput', 'pubsub']);
const titleOf = (workload) => (CALLBACK_STYLE.has(workload) ? `${workload} (callbacks)` : workload);

// Workloads that measure rx-socketcluster a second way too, as a client of its own (bench/adapters.mjs), and the
// label of its first way there.
const VARIANTS = {
  'pubsub-recovered': {
    clients: ['raw', 'rx', 'rx-recover'],
    rx: 'rx-socketcluster, `channel`',
  },
  'channels-await': {
    clients: ['raw', 'rx', 'rx-changes', 'official'],
    rx: 'rx-socketcluster, `channelState$` each',
  },
};
/** The clients measured on `workload`, in the order of the first round. */
export const clientsOf = (workload) => VARIANTS[kindOf(workload)]?.clients ?? CLIENTS;
const labelOf = (workload, client) =>
  (client === 'rx' && VARIANTS[kindOf(workload)]?.rx) || LABELS[client] || client;

// Ratios between two clients other than raw, printed under a workload's table: [client, against, field, what].
const COMPARISONS = {
  'pubsub-recovered': [
    ['rx-recover', 'rx', 'msgsPerSec', 'Delivered msg/s, recovery on'],
    ['rx-recover', 'rx', 'cpuPerMsgUs', 'Client CPU per message, recovery on'],
  ],
  'channels-await': [['rx', 'rx-changes', 'ackMs', 'Time to all acked']],
};

const n = (v) => v.toLocaleString('en-US');
const AWAITED =
  "Every client with its default options (reconnect on), as its README shows; each call awaited: `await firstValueFrom(client.invoke(...))` for rx-socketcluster, `await socket.invoke(...)` for socketcluster-client, `await` on a Promise around the raw client's callback.";
const CALLBACKS =
  "Callback style, as in the earlier reports: rx-socketcluster's `invoke()` / `publish()` subscribed with callbacks, socketcluster-client's promises answered with `then`, the raw client's callbacks; reconnect off for rx-socketcluster and socketcluster-client.";
const PUBSUB = (p) =>
  `to a channel the client subscribes to; a server-side \`exchange.subscribe\` consumer is the second subscriber. Rate and latency (publish call to delivery to the client's own subscription) of the delivered messages; CPU per message. After ${n(p.warmup)} warm-up messages.`;
const SLICED = (p) =>
  p.slices
    ? ` Every client of a round runs at once, connected and warmed up, and they take turns: ${p.slices} slices of ${n(p.calls)} calls each, interleaved (the order rotating at every slice), so that each client meets the machine's quiet and busy moments alike. Other work on the machine only adds to a slice's CPU and latency, so a client's CPU per call${p.window ? '' : ' and p50'} are the lower quartile of its slices' (the median slice is beside them); ${p.window ? 'calls/s is the median of the slices' : 'p99 is over every call'}.`
    : '';
// The pub/sub rows as users write them, with `slices` (bench/client.mjs "sliced rows").
const SLICED_PUBSUB = (p) =>
  p.slices
    ? ` Every client of a round runs at once, connected, subscribed and warmed up, each on a channel of its own (with its own server-side consumer, so no client receives another's messages), and they take turns: ${p.slices} slices of ${n(p.messages)} messages each, interleaved (the order rotating at every slice); a slice starts with nothing outstanding and ends when its last message is delivered${p.awaited ? ' and every publish acknowledged' : ''}. Other work on the machine only adds to a slice's CPU and latency and only slows it down, so a client's CPU per message and p50 are the lower quartile of its slices', delivered msg/s the upper quartile (the median slice is beside them); p99 is over every message.`
    : '';
const perRound = (p) => n(p.messages * (p.slices ?? 1));
function describe(workload, p) {
  if (workload === 'rpc-awaited-latency') {
    return `${n(p.calls * (p.slices ?? 1))} sequential invokes of \`echo\` per client and round, one awaited after another, after ${n(p.warmup)} warm-up calls: latency from the call to the end of its \`await\`, client CPU (user + system) per call. ${AWAITED}${SLICED(p)}`;
  }
  if (workload === 'rpc-awaited-throughput') {
    return `${n(p.calls * (p.slices ?? 1))} invokes of \`echo\` per client and round with ${p.window} in flight: ${p.window} loops, each awaiting one call after another; after ${n(p.warmup)} warm-up calls. ${AWAITED}${SLICED(p)}`;
  }
  if (workload === 'pubsub-transmit') {
    return `${perRound(p)} publishes per client and round without acknowledgement (fire and forget: \`client.transmitPublish(...)\` for rx-socketcluster, \`socket.transmitPublish(...)\` for socketcluster-client, a \`#publish\` transmit for the raw client), ${p.window} undelivered at most (each delivery sends the next), ${PUBSUB(p)} Default options for every client.${SLICED_PUBSUB(p)}`;
  }
  if (workload === 'pubsub-awaited') {
    return `${perRound(p)} publishes per client and round with acknowledgement, each awaited (\`await firstValueFrom(client.publish(...))\` for rx-socketcluster, \`await socket.invokePublish(...)\` for socketcluster-client, \`await\` on a Promise around the raw client's \`#publish\` invoke), by ${p.window} loops each awaiting one publish after another, ${PUBSUB(p)} Default options for every client.${SLICED_PUBSUB({ ...p, awaited: true })}`;
  }
  if (workload === 'pubsub-recovered') {
    return `As pubsub-transmit, on a channel the server's recovery companion stamps and keeps history for (\`attachRecovery\`, default limits): rx-socketcluster subscribed with \`channel(name)\` (recovery off: it gets the original payloads) and with \`recoverChannel(client, name).pipe(messages())\` (recovery on: stamped messages, sequence checks); the raw client for scale. ${perRound(p)} messages per client and round, ${p.window} undelivered at most, after ${n(p.warmup)} warm-up messages.${SLICED_PUBSUB(p)}`;
  }
  if (workload === 'rpc-latency') {
    return `${n(p.calls)} sequential invokes of \`echo\` after ${n(p.warmup)} warm-up calls: latency from the call to the answer in the callback, client CPU (user + system) per call. ${CALLBACKS}`;
  }
  if (workload === 'rpc-throughput') {
    return `${n(p.calls)} invokes of \`echo\` with ${p.window} in flight (each answer starts the next), after ${n(p.warmup)} warm-up calls. ${CALLBACKS}`;
  }
  if (workload === 'pubsub') {
    return `${n(p.messages)} publishes (with acknowledgement, ${p.window} outstanding) ${PUBSUB(p)} ${CALLBACKS}`;
  }
  if (workload === 'inbound') {
    return `The server pushes ${n(p.events)} pre-encoded \`tick\` events as fast as the socket takes them, after the client asks; events/s reaching the listener (from the request to the last event) and CPU per event, the median of ${p.bursts} such bursts after ${n(p.warmup)} warm-up events.`;
  }
  if (workload.startsWith('sockets-')) {
    return `${n(p.count)} clients in one process, ${p.concurrency} handshakes at a time, each with its default options (reconnect on): time until all are connected, then heap and RSS per socket after GC, against a baseline taken before connecting.`;
  }
  if (workload.startsWith('channels-await-')) {
    return `${n(p.count)} channels on one socket, one subscriber each, every channel's acknowledgement awaited on its own, and \`Promise.all\` over them: rx-socketcluster with \`firstValueFrom(channelState$(name).pipe(filter(subscribed)))\` per channel, and for comparison all of them counted on one \`channelChanges$\` subscription (the way of channels-<N>); socketcluster-client with \`channel.listener('subscribe').once()\` per channel; the raw client with each \`#subscribe\`'s own callback. Time from the first subscribe until every one is acknowledged.`;
  }
  return `${n(p.count)} channels on one socket, one subscriber each: time until every \`#subscribe\` is acknowledged, heap per channel after GC against a baseline taken after the handshake.`;
}

// Per workload kind: [field, column title, decimals].
const METRICS = {
  'rpc-awaited-latency': [
    ['p50Us', 'p50 µs', 0],
    ['p99Us', 'p99 µs', 0],
    ['cpuPerCallUs', 'CPU/call µs', 1],
    ['cpuPerCallMedianUs', 'CPU/call, median slice µs', 1],
  ],
  'rpc-awaited-throughput': [
    ['callsPerSec', 'calls/s', 0],
    ['cpuPerCallUs', 'CPU/call µs', 2],
    ['cpuPerCallMedianUs', 'CPU/call, median slice µs', 2],
  ],
  'pubsub-transmit': [
    ['msgsPerSec', 'delivered msg/s', 0],
    ['msgsPerSecMedian', 'delivered msg/s, median slice', 0],
    ['p50Us', 'latency p50 µs', 0],
    ['p99Us', 'latency p99 µs', 0],
    ['cpuPerMsgUs', 'CPU/msg µs', 2],
    ['cpuPerMsgMedianUs', 'CPU/msg, median slice µs', 2],
  ],
  'pubsub-awaited': [
    ['msgsPerSec', 'delivered msg/s', 0],
    ['msgsPerSecMedian', 'delivered msg/s, median slice', 0],
    ['p50Us', 'latency p50 µs', 0],
    ['p99Us', 'latency p99 µs', 0],
    ['cpuPerMsgUs', 'CPU/msg µs', 2],
    ['cpuPerMsgMedianUs', 'CPU/msg, median slice µs', 2],
  ],
  'pubsub-recovered': [
    ['msgsPerSec', 'delivered msg/s', 0],
    ['msgsPerSecMedian', 'delivered msg/s, median slice', 0],
    ['p50Us', 'latency p50 µs', 0],
    ['p99Us', 'latency p99 µs', 0],
    ['cpuPerMsgUs', 'CPU/msg µs', 2],
    ['cpuPerMsgMedianUs', 'CPU/msg, median slice µs', 2],
  ],
  'rpc-latency': [
    ['p50Us', 'p50 µs', 0],
    ['p99Us', 'p99 µs', 0],
    ['cpuPerCallUs', 'CPU/call µs', 1],
  ],
  'rpc-throughput': [
    ['callsPerSec', 'calls/s', 0],
    ['cpuPerCallUs', 'CPU/call µs', 2],
  ],
  pubsub: [
    ['msgsPerSec', 'delivered msg/s', 0],
    ['p50Us', 'latency p50 µs', 0],
    ['p99Us', 'latency p99 µs', 0],
    ['cpuPerMsgUs', 'CPU/msg µs', 2],
  ],
  inbound: [
    ['eventsPerSec', 'events/s', 0],
    ['cpuPerEventUs', 'CPU/event µs', 2],
  ],
  sockets: [
    ['connectMs', 'time to all connected ms', 0],
    ['heapPerSocketB', 'heap/socket B', 0],
    ['rssPerSocketB', 'RSS/socket B', 0],
  ],
  channels: [
    ['ackMs', 'time to all acked ms', 0],
    ['heapPerChannelB', 'heap/channel B', 0],
  ],
  'channels-await': [['ackMs', 'time to all acked ms', 0]],
};

export const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (value, decimals) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
    : 'n/a';
const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a');

/** results: [{ round, workload, client, ...figures } | { round, workload, client, error }] */
export function summarize(results) {
  const workloads = [...new Set(results.map((r) => r.workload))];
  const summary = {};
  for (const workload of workloads) {
    const rows = results.filter((r) => r.workload === workload && !r.error);
    const rounds = [...new Set(results.filter((r) => r.workload === workload).map((r) => r.round))].sort(
      (a, b) => a - b,
    );
    const fields = [...METRICS[kindOf(workload)].map(([f]) => f), 'bareSubscriptionB', 'ownPerChannelB'];
    summary[workload] = {};
    const of = (client, field) =>
      rounds.map((round) => rows.find((r) => r.round === round && r.client === client)?.[field]);
    for (const client of clientsOf(workload)) {
      const mine = rows.filter((r) => r.client === client);
      if (mine.length === 0) continue;
      const entry = { medians: {}, rounds: {}, ratios: {}, medianRatios: {} };
      for (const field of fields) {
        if (!mine.some((r) => field in r)) continue;
        entry.medians[field] = median(mine.map((r) => r[field]));
        entry.rounds[field] = of(client, field);
        const raw = of('raw', field);
        entry.ratios[field] = entry.rounds[field].map((own, i) => own / raw[i]);
        entry.medianRatios[field] = median(entry.ratios[field]);
      }
      summary[workload][client] = entry;
    }
  }
  return summary;
}

/** `client`'s figure ÷ `against`'s, round by round, and their median; undefined when either was not measured. */
export function versus(summary, workload, client, against, field) {
  const own = summary[workload]?.[client]?.rounds?.[field];
  const other = summary[workload]?.[against]?.rounds?.[field];
  if (!own || !other) return undefined;
  const rounds = own.map((value, i) => value / other[i]);
  return { value: median(rounds), rounds };
}

function workloadTable(workload, summary, params) {
  const metrics = METRICS[kindOf(workload)];
  const lines = [];
  lines.push(`### ${titleOf(workload)}`, '', params, '');
  const head = metrics.flatMap(([, title]) => [
    title,
    `${title.replace(/ (µs|B|ms)$/, '')} vs raw: median [rounds]`,
  ]);
  lines.push(`| client | ${head.join(' | ')} |`, `| --- | ${head.map(() => '---:').join(' | ')} |`);
  for (const client of clientsOf(workload)) {
    const entry = summary[workload]?.[client];
    if (!entry) continue;
    const cells = metrics.flatMap(([field, , decimals]) => [
      fmt(entry.medians[field], decimals),
      client === 'raw'
        ? '1'
        : `**${fmtRatio(entry.medianRatios[field])}** [${(entry.ratios[field] ?? []).map((r) => (Number.isFinite(r) ? r.toFixed(2) : 'n/a')).join(', ')}]`,
    ]);
    lines.push(`| ${labelOf(workload, client)} | ${cells.join(' | ')} |`);
  }
  for (const [client, against, field, what] of COMPARISONS[kindOf(workload)] ?? []) {
    const ratio = versus(summary, workload, client, against, field);
    if (!ratio) continue;
    lines.push(
      '',
      `${what}, ${labelOf(workload, client)} ÷ ${labelOf(workload, against)}: **${fmtRatio(ratio.value)}** ` +
        `[${ratio.rounds.map((r) => (Number.isFinite(r) ? r.toFixed(2) : 'n/a')).join(', ')}] (median [rounds]).`,
    );
  }
  if (AS_USERS_WRITE.has(workload)) {
    const ratios = metrics.map(([field]) => versus(summary, workload, 'rx', 'official', field));
    if (ratios.some(Boolean)) {
      const titles = metrics.map(([, title]) => title.replace(/ (µs|B|ms)$/, ''));
      lines.push(
        '',
        `| ${LABELS.rx} ÷ ${LABELS.official} | ${titles.join(' | ')} |`,
        `| --- | ${titles.map(() => '---:').join(' | ')} |`,
        `| median [rounds] | ${ratios.map((r) => (r ? `**${fmtRatio(r.value)}** [${r.rounds.map((x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a')).join(', ')}]` : 'n/a')).join(' | ')} |`,
      );
    }
  }
  const rx = summary[workload]?.rx;
  if (rx && 'bareSubscriptionB' in rx.medians) {
    lines.push(
      '',
      `rx-socketcluster's heap per channel includes the application's own RxJS subscription: a bare RxJS ` +
        `subscription measured in the same process costs ${fmt(rx.medians.bareSubscriptionB, 0)} B, which leaves ` +
        `**${fmt(rx.medians.ownPerChannelB, 0)} B** per channel as the client's own cost (medians).`,
    );
  }
  return lines.join('\n');
}

// The budgets of DESIGN.md, and of the work since (issue 20 for RPC: awaited calls, as users write them). ratio: a
// median per-round ratio to raw, or to the client `versus` (for rx only); absolute: a median value.
const BUDGETS = [
  {
    name: 'inbound events to user code, events/s',
    workload: 'inbound',
    field: 'eventsPerSec',
    ratio: true,
    op: '>=',
    target: 0.9,
  },
  {
    name: 'pub/sub fire and forget: delivered msg/s (hold)',
    workload: 'pubsub-transmit',
    field: 'msgsPerSec',
    ratio: true,
    op: '>=',
    target: 0.95,
  },
  {
    name: 'pub/sub fire and forget: client CPU per message (hold)',
    workload: 'pubsub-transmit',
    field: 'cpuPerMsgUs',
    ratio: true,
    op: '<=',
    target: 1.05,
  },
  {
    name: 'sequential RPC, awaited: client CPU per call',
    workload: 'rpc-awaited-latency',
    field: 'cpuPerCallUs',
    ratio: true,
    op: '<=',
    target: 1.1,
  },
  {
    name: 'sequential RPC, awaited: client CPU per call, against socketcluster-client in the same run',
    workload: 'rpc-awaited-latency',
    field: 'cpuPerCallUs',
    ratio: true,
    versus: 'official',
    op: '<',
    target: 1,
  },
  {
    name: 'sequential RPC, awaited: latency p50',
    workload: 'rpc-awaited-latency',
    field: 'p50Us',
    ratio: true,
    op: '<=',
    target: 1.05,
  },
  {
    name: 'RPC, 100 in flight, awaited: client CPU per call',
    workload: 'rpc-awaited-throughput',
    field: 'cpuPerCallUs',
    ratio: true,
    op: '<=',
    target: 1.05,
  },
  {
    name: 'heap per subscribed channel, all in',
    workload: /^channels-\d+$/,
    field: 'heapPerChannelB',
    ratio: false,
    op: '<=',
    target: 600,
  },
  {
    name: 'heap per connected socket (1,000 sockets)',
    workload: 'sockets-1000',
    field: 'heapPerSocketB',
    ratio: true,
    op: '<=',
    target: 1.5,
  },
  {
    name: 'heap per connected socket (5,000 sockets)',
    workload: 'sockets-5000',
    field: 'heapPerSocketB',
    ratio: true,
    op: '<=',
    target: 1.5,
  },
  {
    // rx ÷ rx-recover, as the budget code compares rx with another client: at most 1 / 0.9.
    name: 'pub/sub delivered msg/s, recovery off ÷ recovery on (recovery on ≥ 0.9x off)',
    workload: 'pubsub-recovered',
    field: 'msgsPerSec',
    ratio: true,
    versus: 'rx-recover',
    op: '<=',
    target: 1.11,
  },
  {
    name: 'time until every channel is subscribed, acknowledgements counted on `channelChanges$`',
    workload: /^channels-\d+$/,
    field: 'ackMs',
    ratio: true,
    op: '<=',
    target: 2,
  },
  {
    name: 'time until every channel is subscribed, each awaited through its own `channelState$`',
    workload: /^channels-await-/,
    field: 'ackMs',
    ratio: true,
    op: '<=',
    target: 2,
  },
];

export function budgets(summary) {
  return BUDGETS.map((budget) => {
    const workload = Object.keys(summary).find((w) =>
      typeof budget.workload === 'string' ? w === budget.workload : budget.workload.test(w),
    );
    const pick = (client) => {
      if (budget.versus)
        return client === 'rx' ? versus(summary, workload, client, budget.versus, budget.field) : undefined;
      const entry = workload && summary[workload][client];
      if (!entry) return undefined;
      return budget.ratio
        ? { value: entry.medianRatios[budget.field], rounds: entry.ratios[budget.field] }
        : { value: entry.medians[budget.field] };
    };
    const rx = pick('rx');
    const official = pick('official');
    const compare = { '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '<': (a, b) => a < b };
    const met = rx && Number.isFinite(rx.value) ? compare[budget.op](rx.value, budget.target) : undefined;
    return {
      ...budget,
      workload,
      target: budget.target,
      rx,
      official,
      status: met === undefined ? 'not run' : met ? 'met' : 'missed',
    };
  });
}

function budgetTable(rows) {
  const show = (row, pick) => {
    if (!pick || !Number.isFinite(pick.value)) return 'n/a';
    if (!row.ratio) return `${pick.value.toFixed(0)} B`;
    return `${pick.value.toFixed(3)}x [${pick.rounds.map((r) => (Number.isFinite(r) ? r.toFixed(2) : 'n/a')).join(', ')}]`;
  };
  const target = (row) =>
    `${{ '>=': '≥', '<=': '≤', '<': '<' }[row.op]} ${row.ratio ? `${row.target}x ${row.versus ? LABELS[row.versus] : 'raw'}` : `${row.target} B`}`;
  const lines = [
    '| budget | target | rx-socketcluster: median [rounds] | socketcluster-client | status |',
    '| --- | --- | ---: | ---: | --- |',
  ];
  for (const row of rows) {
    const status = row.status === 'met' ? 'met' : row.status === 'missed' ? '**missed**' : 'not run';
    lines.push(
      `| ${row.name} | ${target(row)} | ${show(row, row.rx)} | ${show(row, row.official)} | ${status} |`,
    );
  }
  lines.push(
    '| browser bundle, min+gzip, rxjs excluded | core ≤ 12.5 KB, a channels-and-state dashboard ≤ 10 KB | measured by `npm run size`, not by this benchmark | | |',
  );
  return lines.join('\n');
}

export function renderReport({ machine, date, options, results, summary, budgetRows, codecs, durationS }) {
  const failures = results.filter((r) => r.error);
  const lines = [
    `## Benchmark report`,
    '',
    `- Date: ${date}`,
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB RAM, ${machine.os}`,
    `- Node ${machine.node}; socketcluster-server ${machine.versions.server}, socketcluster-client ${machine.versions.client}, ws ${machine.versions.ws}, rx-socketcluster ${machine.versions.rx}`,
    `- ${options.rounds} round(s)${options.quick ? ', quick mode (smaller counts)' : ''}; client order rotates each round; a fresh client process per measurement; run time ${durationS.toFixed(0)} s`,
    '',
    'Ratios are client ÷ raw of the same round; "median" is the median of the per-round ratios, the rounds follow in brackets.',
    'For rates (calls/s, msg/s, events/s) higher is better; for latency, CPU, time and memory lower is better.',
    '',
  ];
  for (const workload of Object.keys(summary))
    lines.push(workloadTable(workload, summary, describe(workload, options.workloads[workload])), '');
  lines.push('### Budgets (DESIGN.md, issue 20)', '', budgetTable(budgetRows), '');
  if (codecs) lines.push('### Codecs (`node bench/codecs.mjs`)', '', codecs.trim(), '');
  if (failures.length) {
    lines.push('### Failed measurements', '');
    for (const f of failures) lines.push(`- round ${f.round + 1}, ${f.workload}, ${f.client}: ${f.error}`);
    lines.push('');
  }
  return lines.join('\n');
}
