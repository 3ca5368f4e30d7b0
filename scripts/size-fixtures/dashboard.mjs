// A live dashboard widget as `npm run size` measures it: a client, one channel and the connection state, nothing
// else of the package. An application's bundler keeps only what this module reaches.
import { createClient } from 'rx-socketcluster';

const client = createClient({ url: 'wss://example.com/socketcluster/' });

export const prices$ = client.channel('prices');
export const connected$ = client.state$;
