// The peer of `tongban bench identity`: oidc-provider issuing client-credentials access tokens as
// Tongban does — a JWT signed with EdDSA (Ed25519), the client authenticated by its secret.
// Node runs JavaScript on one thread, so one worker per core (node:cluster) shares the port, as
// Tongban's server uses every core. Usage: node server.mjs PORT CLIENT_ID CLIENT_SECRET; prints
// "listening" once every worker listens.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret] = process.argv.slice(2);

if (cluster.isPrimary) {
  // One signing key for every worker.
  const key = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));
  const workers = availableParallelism();
  let ready = 0;
  for (let i = 0; i < workers; i += 1) {
    cluster.fork({ BENCH_KEY: key }).on('message', () => {
      ready += 1;
      if (ready === workers) console.log('listening');
    });
  }
  cluster.on('exit', (_w, code) => { if (code) process.exit(code); });
  process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.kill(); process.exit(0); });
} else {
  serve(JSON.parse(process.env.BENCH_KEY));
}

function serve(key) {
  const issuer = `http://127.0.0.1:${port}`;
  const resource = 'urn:tongban:bench';

  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'EdDSA',
    }],
    jwks: { keys: [{ ...key, kid: 'bench', alg: 'EdDSA', use: 'sig' }] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'cases',
          audience: resource,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'EdDSA' } },
        }),
      },
    },
    scopes: ['cases'],
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  provider.listen(Number(port), '127.0.0.1', () => process.send('listening'));
}
