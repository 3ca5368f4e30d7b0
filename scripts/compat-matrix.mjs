#!/usr/bin/env node
// Renders the generated parts of docs/compatibility.md from spec/compat/results.json, the outcomes the compat
// suite recorded (spec/compat/servers.spec.ts; `npm run compat:update` refreshes both).
//
//   node scripts/compat-matrix.mjs           rewrite the generated blocks in docs/compatibility.md
//   node scripts/compat-matrix.mjs --check   exit 1 if they differ from what results.json says
//
// A generated block sits between `<!-- compat:begin NAME -->` and `<!-- compat:end NAME -->`; everything else in
// the document is prose that this script leaves alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = `${root}spec/compat/results.json`;
const DOC = `${root}docs/compatibility.md`;

const SYMBOLS = { pass: '✅', gap: '⚠️', limitation: '⛔', fail: '❌' };
const CODECS = { json: 'JSON', msgpack: 'MessagePack' };
const KINDS = {
  'client-gap': 'client gap',
  'server-limitation': 'server limitation',
  'server-defect': 'server defect',
};

/** Renders every generated block from the results. */
function renderBlocks(results) {
  const noteIds = Object.keys(results.notes);
  const noteNumber = (id) => noteIds.indexOf(id) + 1;
  const cellText = (cell) =>
    cell ? `${SYMBOLS[cell.status]}${cell.note ? ` ${noteNumber(cell.note)}` : ''}` : '';
  const serverOf = (major) => results.servers.find((s) => s.major === major);
  const serverLabel = (major) => {
    const facts = serverOf(major);
    if (!facts) return String(major);
    return `${facts.version}${facts.note ? ` (note ${noteNumber(facts.note)})` : ''}`;
  };
  const table = (header, rows) =>
    [
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');

  const summary = table(
    ['Server', 'Protocol 1', 'Protocol 2', 'Client options'],
    results.servers.map((facts) => {
      const rows = results.rows.filter((row) => row.major === facts.major);
      const byProtocol = (protocol) => {
        const parts = rows
          .filter((row) => row.protocol === protocol)
          .map((row) => {
            const cells = Object.values(row.cells);
            const passed = cells.filter((c) => c.status === 'pass').length;
            if (cells.every((c) => c.status === 'limitation')) return `${CODECS[row.codec]}: not supported`;
            return `${CODECS[row.codec]}: ${passed}/${cells.length}`;
          });
        return parts.join(', ');
      };
      const options = facts.protocols.includes(2)
        ? '`protocolVersion` as the server’s (default 2)'
        : '`protocolVersion: 1`';
      return [`v${facts.major}: ${serverLabel(facts.major)}`, byProtocol(1), byProtocol(2), options];
    }),
  );

  const matrix = [
    table(
      ['Server', 'Protocol', 'Codec', ...results.features.map((f) => f.title)],
      results.rows.map((row) => [
        serverLabel(row.major),
        String(row.protocol),
        CODECS[row.codec],
        ...results.features.map((f) => cellText(row.cells[f.key])),
      ]),
    ),
    '',
    `${SYMBOLS.pass} passes · ${SYMBOLS.gap} client gap · ${SYMBOLS.limitation} server limitation · ` +
      `${SYMBOLS.fail} fails (not documented: a regression) · a number refers to the notes below.`,
  ].join('\n');

  const features = table(
    ['Column', 'What the scenario checks'],
    results.features.map((f) => [f.title, f.checks]),
  );

  const notes = noteIds
    .map((id, i) => {
      const note = results.notes[id];
      return `${i + 1}. **${note.title}** (${KINDS[note.kind]}). ${note.text}`;
    })
    .join('\n');

  const pingFrames = (frames) => {
    const byCodec = {};
    for (const [config, frame] of Object.entries(frames)) {
      const [codec, protocol] = config.split(', ');
      (byCodec[codec] ??= []).push([protocol.replace('protocolVersion ', 'v'), frame]);
    }
    return Object.entries(byCodec)
      .map(([codec, entries]) => {
        const distinct = new Set(entries.map(([, frame]) => frame));
        const text =
          distinct.size === 1
            ? `${entries[0][1]} whatever the option`
            : entries.map(([protocol, frame]) => `${protocol}: ${frame}`).join(', ');
        return `${CODECS[codec]}: ${text}`;
      })
      .join('<br>');
  };
  const escape = (text) => text.replaceAll('|', '\\|');
  const facts = table(
    [
      'Server',
      'npm package',
      'API',
      'Protocol versions',
      'Default pingTimeout',
      'Ping frame (`protocolVersion` option)',
      '`#handshake` without `cid`',
      "`socket.disconnect(4321, 'bye')`",
      'Any inbound message keeps the socket alive',
      'Every `for await` loop served',
    ],
    results.servers.map((s) => [
      `v${s.major}`,
      s.package === 'socketcluster-server'
        ? `socketcluster-server@${s.version}`
        : `${s.package} → socketcluster-server@${s.version}`,
      s.generation === 'callback' ? 'callbacks (EventEmitter)' : 'async iterators',
      s.protocols.join(', '),
      `${s.defaultPingTimeout / 1000} s`,
      escape(pingFrames(s.pingFrames)),
      escape(s.handshakeWithoutCid),
      escape(s.disconnect),
      s.inboundMessagesKeepAlive ? 'yes' : 'no, only pongs',
      s.streamDemuxDefect ? `no, only the newest (note ${noteNumber(s.note)})` : 'yes',
    ]),
  );

  const interop = [
    table(
      ['Setup', 'Codec', ...results.interopFeatures.map((f) => f.title)],
      results.interop.map((row) => [
        row.server,
        CODECS[row.codec],
        ...results.interopFeatures.map((f) => cellText(row.cells[f.key])),
      ]),
    ),
    '',
    table(
      ['Column', 'What the scenario checks'],
      results.interopFeatures.map((f) => [f.title, f.checks]),
    ),
  ].join('\n');

  return { summary, matrix, features, notes, facts, interop };
}

/** The document with every generated block replaced. Throws when a block's markers are missing. */
function render(doc, results) {
  const blocks = renderBlocks(results);
  let out = doc;
  for (const [name, body] of Object.entries(blocks)) {
    const begin = `<!-- compat:begin ${name} -->`;
    const end = `<!-- compat:end ${name} -->`;
    const from = out.indexOf(begin);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`docs/compatibility.md has no ${begin} ... ${end} block`);
    out = `${out.slice(0, from + begin.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}

const results = JSON.parse(readFileSync(RESULTS, 'utf8'));
const doc = readFileSync(DOC, 'utf8');
const rendered = render(doc, results);

if (process.argv.includes('--check')) {
  if (rendered !== doc) {
    console.error(
      'docs/compatibility.md is out of date with spec/compat/results.json: run `node scripts/compat-matrix.mjs` ' +
        '(or `npm run compat:update` to rerun the suite first).',
    );
    process.exit(1);
  }
  console.log('docs/compatibility.md matches spec/compat/results.json');
} else if (rendered !== doc) {
  writeFileSync(DOC, rendered);
  console.log('docs/compatibility.md updated from spec/compat/results.json');
} else {
  console.log('docs/compatibility.md already up to date');
}
