// A real OpenID provider for Parley's tests: `node provider.mjs '<json options>'`.
// Listens on 127.0.0.1 on a free port and prints `listening <port>` once ready.
// Options: client_id, client_secret, redirect_uri, post_logout_redirect_uri,
// access_token_jwt (JWT access tokens carrying the roles), tamper_id_token.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2]);
const ACCOUNTS = {
  ada: { email: 'ada@example.com', name: 'Ada Lovelace', roles: ['parley-user', 'staff'] },
  bob: { email: 'bob@example.com', name: 'Bob Guest', roles: ['guest'] },
};
const API = 'urn:parley:api';
const stats = { jwks: 0, token: 0 };

function claimsOf(sub) {
  const account = ACCOUNTS[sub];
  return {
    sub,
    email: account.email,
    email_verified: true,
    name: account.name,
    preferred_username: sub,
    realm_access: { roles: account.roles },
  };
}

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: options.client_id,
      client_secret: options.client_secret,
      redirect_uris: [options.redirect_uri],
      post_logout_redirect_uris: [options.post_logout_redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    jwks: { keys: [{ ...signingKey, kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      roles: ['realm_access'],
    },
    scopes: ['openid', 'email', 'profile', 'roles'],
    async findAccount(ctx, sub) {
      if (!ACCOUNTS[sub]) return undefined;
      return { accountId: sub, claims: async () => claimsOf(sub) };
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: Boolean(options.access_token_jwt),
        defaultResource: () => API,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', accessTokenFormat: 'jwt', audience: API }),
      },
    },
    async extraTokenClaims(ctx, token) {
      return ACCOUNTS[token.accountId] ? { realm_access: claimsOf(token.accountId).realm_access } : {};
    },
  });
  provider.use(async (ctx, next) => {
    if (ctx.path === '/_stats') { ctx.body = stats; return; }
    await next();
    if (ctx.path === '/jwks') stats.jwks += 1;
    if (ctx.path === '/token' && ctx.status === 200) {
      stats.token += 1;
      if (options.tamper_id_token) {  // a token whose signature no longer matches
        const body = { ...ctx.body };
        const [head, payload] = body.id_token.split('.');
        body.id_token = `${head}.${payload}.${Buffer.from('forged').toString('base64url')}`;
        ctx.body = body;
      }
    }
  });
  server.on('request', provider.callback());
  console.log(`listening ${port}`);
});
