import {
  closeOfficial,
  INTEROP_SCENARIOS,
  official,
  OFFICIAL_VERSION,
  type Official,
} from './support/interop';
import {
  FEATURES,
  INTEROP_FEATURES,
  Recorder,
  expectation,
  readResults,
  writeResults,
  type Cell,
  type Feature,
  type NoteId,
  type Results,
  type Row,
} from './support/matrix';
import { probeServer } from './support/probes';
import { RowHarness } from './support/row-harness';
import { protocolMismatch, SCENARIOS } from './support/scenarios';
import { MAJORS, protocolsOf, type Major } from './support/servers';

// The compatibility matrix: the same scenarios against every socketcluster-server major from 14 to 20, with protocol
// versions 1 and 2 and with the JSON and MessagePack codecs, then the official client beside this one on v20. Each
// cell's outcome is recorded; the last test checks them against spec/compat/results.json, from which
// scripts/compat-matrix.mjs renders docs/compatibility.md. `npm run compat:update` (COMPAT_UPDATE=1) rewrites both.

jest.setTimeout(10_000);

const UPDATE = process.env.COMPAT_UPDATE === '1';
const recorder = new Recorder();

/** How each documented client gap shows: a scenario that fails any other way is a new failure. */
const SYMPTOMS: Partial<Record<NoteId, RegExp>> = {};

function rowsOf(major: Major): Row[] {
  return ([1, 2] as const).flatMap((protocol) =>
    (['json', 'msgpack'] as const).map((codec) => ({ major, protocol, codec })),
  );
}

function textOf(failure: unknown): string {
  return failure instanceof Error ? failure.message : JSON.stringify(failure);
}

async function runCell(h: RowHarness, feature: Feature): Promise<void> {
  const expected = expectation(h.row, feature);
  let failure: unknown;
  try {
    await SCENARIOS[feature](h);
  } catch (error) {
    failure = error;
  }
  const symptom = expected.note && SYMPTOMS[expected.note];
  const asDocumented =
    failure !== undefined && expected.status !== 'pass' && (!symptom || symptom.test(textOf(failure)));
  const actual: Cell =
    failure === undefined ? { status: 'pass' } : asDocumented ? expected : { status: 'fail' };
  recorder.cell(h.row, feature, actual);
  if (failure !== undefined && !asDocumented) throw failure as Error;
  if (failure === undefined && expected.status !== 'pass') {
    throw new Error(
      `Expected the documented failure (${expected.note ?? ''}), but the scenario passed: update expectation() in ` +
        'spec/compat/support/matrix.ts and run npm run compat:update',
    );
  }
}

describe.each(MAJORS)('socketcluster-server %i', (major) => {
  it('facts (raw WebSocket probes)', async () => {
    recorder.server(await probeServer(major));
  });

  describe.each(rowsOf(major))('protocol $protocol, $codec', (row) => {
    const h = new RowHarness(row);
    recorder.row(row);
    beforeAll(() => h.start());
    afterEach(() => h.endScenario());
    afterAll(() => h.stop());

    if (!protocolsOf(major).includes(row.protocol)) {
      it('is not supported by the server: no pongs, and the client says why', async () => {
        let failure: unknown;
        try {
          await protocolMismatch(h);
        } catch (error) {
          failure = error;
        }
        for (const { key } of FEATURES)
          recorder.cell(row, key, failure ? { status: 'fail' } : expectation(row, key));
        if (failure) throw failure as Error;
      });
      return;
    }
    for (const { key, title } of FEATURES) it(title, () => runCell(h, key));
  });
});

describe.each(['json', 'msgpack'] as const)(
  `official socketcluster-client ${OFFICIAL_VERSION} beside this client, %s`,
  (codec) => {
    const h = new RowHarness({ major: 20, protocol: 2, codec });
    const peers: Official[] = [];
    beforeAll(() => h.start());
    afterEach(async () => {
      peers.splice(0).forEach(closeOfficial);
      await h.endScenario();
    });
    afterAll(() => h.stop());

    for (const { key, title } of INTEROP_FEATURES) {
      it(title, async () => {
        const label = `socketcluster-server ${h.server.version} + socketcluster-client ${OFFICIAL_VERSION}`;
        try {
          await INTEROP_SCENARIOS[key](h, () => official(h.server, codec, peers));
        } catch (error) {
          recorder.interop(label, codec, key, { status: 'fail' });
          throw error;
        }
        recorder.interop(label, codec, key, { status: 'pass' });
      });
    }
  },
);

describe('results', () => {
  const isComplete = (results: Results) =>
    results.servers.length === MAJORS.length &&
    results.rows.length === MAJORS.length * 4 &&
    results.rows.every((row) => Object.keys(row.cells).length === FEATURES.length) &&
    results.interop.length === 2 &&
    results.interop.every((row) => Object.keys(row.cells).length === INTEROP_FEATURES.length);

  it('match spec/compat/results.json (COMPAT_UPDATE=1 rewrites it)', () => {
    const results = recorder.results();
    if (UPDATE) {
      if (!isComplete(results)) throw new Error('Run the whole compat project to update the results');
      writeResults(results);
      return;
    }
    const recorded = readResults();
    if (!recorded) throw new Error('spec/compat/results.json is missing: run npm run compat:update');
    if (isComplete(results)) {
      expect(results).toEqual(recorded);
      return;
    }
    // A partial run (jest -t): check what ran.
    for (const { cells, ...row } of results.rows) {
      const before = recorded.rows.find(
        (r) => r.major === row.major && r.protocol === row.protocol && r.codec === row.codec,
      );
      for (const [feature, cell] of Object.entries(cells)) {
        expect({ ...row, feature, cell }).toEqual({ ...row, feature, cell: before?.cells[feature] });
      }
    }
    for (const facts of results.servers)
      expect(facts).toEqual(recorded.servers.find((s) => s.major === facts.major));
  });
});
