// Keycloak's realms served by a certified OpenID Provider: oidc-provider (npm, pinned in
// scripts/node by `scripts/setup node`), one Provider per realm, each mounted under
// Keycloak's realm prefix `/realms/<realm>` with Keycloak's endpoint paths
// (`/protocol/openid-connect/{token,userinfo,certs,auth}`), its issuer
// `http://127.0.0.1:<port>/realms/<realm>` (issuer and mount agree), and Keycloak's default
// access-token shape for the client-credentials grant: a JWT signed RS256 with `aud:
// account`, `azp: <client>` and `typ: Bearer`. Everything else (client authentication,
// grants, token checks, discovery, JWKS, userinfo, errors) is oidc-provider's own.
//
// Usage: FLOE_OIDC_CONFIG=<json> node keycloak_realms.mjs <node_modules dir> <port> <test pid>
// The config (in the environment: it holds the client secrets): {"realms": ["floe", ...],
// "clients": [{client_id, client_secret, token_endpoint_auth_method, grant_types,
// redirect_uris, response_types}]}, the same clients in every realm. The process exits
// when the test process (<test pid>) is gone.

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, port, testPid] = process.argv.slice(2);
const config = JSON.parse(process.env.FLOE_OIDC_CONFIG);
const { default: Provider, errors } = await import(
  pathToFileURL(path.join(nodeModules, 'oidc-provider', 'lib', 'index.js')).href
);

// The resource whose tokens have Keycloak's shape; `account` is Keycloak's default audience.
const ACCOUNT = 'urn:floe:keycloak:account';

// A realm's keys, as Keycloak publishes them: an RS256 signing key and an RSA-OAEP
// encryption key, each with its own `kid`.
function realmKeys(realm) {
  const key = (use, alg) => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = `${realm}-${use}-${crypto.randomBytes(6).toString('hex')}`;
    return { ...privateKey.export({ format: 'jwk' }), kid, use, alg };
  };
  return { keys: [key('sig', 'RS256'), key('enc', 'RSA-OAEP')] };
}

function provider(realm) {
  const issuer = `http://127.0.0.1:${port}/realms/${realm}`;
  const oidc = new Provider(issuer, {
    clients: config.clients,
    jwks: realmKeys(realm),
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    routes: {
      authorization: '/protocol/openid-connect/auth',
      token: '/protocol/openid-connect/token',
      userinfo: '/protocol/openid-connect/userinfo',
      jwks: '/protocol/openid-connect/certs',
      introspection: '/protocol/openid-connect/token/introspect',
      revocation: '/protocol/openid-connect/revoke',
      end_session: '/protocol/openid-connect/logout',
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email', 'email_verified'] },
    features: {
      clientCredentials: { enabled: true },
      // So the realm's RSA-OAEP key is published, as Keycloak publishes its own.
      encryption: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The client-credentials grant gets Keycloak's JWT access token; the code flow,
        // asking for no resource, gets a token for the userinfo endpoint.
        defaultResource: (ctx, _client, oneOf) => oneOf
          ?? (ctx.oidc.params?.grant_type === 'client_credentials' ? ACCOUNT : undefined),
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== ACCOUNT) throw new errors.InvalidTarget();
          return {
            scope: 'profile email',
            audience: 'account',
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // Keycloak's access tokens name the client they were issued to and their type.
    extraTokenClaims: (_ctx, token) => ({ azp: token.clientId, typ: 'Bearer' }),
    // Keycloak issues a refresh token with every code-flow grant.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, preferred_username: sub, email_verified: false }),
    }),
    ttl: { AccessToken: 300, ClientCredentials: 300, RefreshToken: 1800, Grant: 1800, Session: 1800, Interaction: 600, AuthorizationCode: 60, IdToken: 300 },
  });
  return oidc;
}

const realms = new Map(config.realms.map((realm) => [realm, provider(realm)]));
const callbacks = new Map([...realms].map(([realm, oidc]) => [realm, oidc.callback()]));

const server = http.createServer((req, res) => {
  const match = /^\/realms\/([^/?]+)(.*)$/.exec(req.url);
  const callback = match && callbacks.get(match[1]);
  if (!callback) {
    // Keycloak's answer for a realm it does not have.
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'Realm does not exist' }));
    return;
  }
  // Mounted as Express mounts a sub-app: oidc-provider reads the mount path from
  // `originalUrl`, so the URLs it announces keep the realm prefix.
  req.originalUrl = req.url;
  req.url = match[2].startsWith('/') ? match[2] : `/${match[2]}`;
  callback(req, res);
});

server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`listening on 127.0.0.1:${port}\n`);
});

// Stop when the test process is gone, whatever happened to it.
setInterval(() => {
  try {
    process.kill(Number(testPid), 0);
  } catch {
    server.close();
    process.exit(0);
  }
}, 500).unref();
