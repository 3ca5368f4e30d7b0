import * as angular from '../../lib/angular';

// The public surface of rx-socketcluster/angular: a name added or removed here is an API change.

it('exports exactly the providers, the token and the signal helpers', () => {
  expect(Object.keys(angular).sort()).toEqual([
    'SOCKETCLUSTER_CLIENT',
    'authStateSignal',
    'channelSignal',
    'clientSignal',
    'connectionStateSignal',
    'injectSocketCluster',
    'provideSocketCluster',
    'statsSignal',
  ]);
});
