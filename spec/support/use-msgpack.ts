// Set up by the integration-msgpack jest project: test servers run sc-codec-min-bin (see test-server.ts).
process.env.RX_SC_TEST_CODEC = 'msgpack';
