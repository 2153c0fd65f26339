// The local OpenID Provider for the demo and the tests: oidc-provider with
// an in-memory store, one public client (the SPA), one protected resource
// (the demo API) and one demo account. Everything binds to 127.0.0.1.
//
// Settings come from the environment (defaults are the demo's):
//   IDP_PORT, APP_ORIGIN, API_RESOURCE, ACCESS_TOKEN_TTL, ID_TOKEN_TTL,
//   REFRESH_TOKEN_TTL (seconds), IDP_KEYS_HOST, IDP_TEST_HOOKS and
//   IDP_DPOP_NONCE (tests only: see below).

import { generateKeyPairSync, randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';
// oidc-provider's own in-memory store, made here so that a key rotation's
// new instance shares it (by default each instance makes its own).
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

import {
  UI_LOCALES_SUPPORTED, consentPage, errorPage, languageOf, loginPage, logoutPage, signedOutPage, wrongPasswordMessage,
} from './pages.mjs';

const HOST = '127.0.0.1';
const PORT = Number(process.env.IDP_PORT ?? 9000);
const ISSUER = `http://${HOST}:${PORT}`;
const APP_ORIGIN = process.env.APP_ORIGIN ?? 'http://127.0.0.1:8080';
const API_RESOURCE = process.env.API_RESOURCE ?? 'http://127.0.0.1:3000';
const seconds = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number of seconds`);
  return value;
};
const ACCESS_TOKEN_TTL = seconds('ACCESS_TOKEN_TTL', 600);
const ID_TOKEN_TTL = seconds('ID_TOKEN_TTL', 600);
const REFRESH_TOKEN_TTL = seconds('REFRESH_TOKEN_TTL', 86400);
// Only for the benchmark: a second public client for the oidc-client-ts peer page.
const BENCH_PEER_ORIGIN = process.env.BENCH_PEER_ORIGIN;
// Only for the tests (IDP_TEST_HOOKS=1): a key rotation on request (below),
// a second client of the app's whose access tokens are for UserInfo, not
// the demo API (oidc-provider's UserInfo refuses a token with an audience),
// and a third that gets no refresh token, as some providers' SPAs do not.
const TEST_HOOKS = process.env.IDP_TEST_HOOKS === '1';
const USERINFO_CLIENT = 'demo-spa-userinfo';
const NO_REFRESH_CLIENT = 'demo-spa-no-refresh';

// The demo account. The password is compared as a hash in constant time.
const DEMO_USER = {
  username: 'alice',
  passwordSha256: createHash('sha256').update('wonderland').digest(),
  claims: {
    sub: 'alice',
    name: 'Alice Liddell',
    preferred_username: 'alice',
    email: 'alice@example.com',
    email_verified: true,
  },
};

function checkPassword(username, password) {
  const given = createHash('sha256').update(String(password ?? '')).digest();
  const passwordOk = timingSafeEqual(given, DEMO_USER.passwordSha256);
  return username === DEMO_USER.username && passwordOk;
}

// A fresh signing key per start: the store is in memory anyway.
let keyCount = 0;
function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keyCount += 1;
  return { ...privateKey.export({ format: 'jwk' }), kid: `rs256-${Date.now()}-${keyCount}`, alg: 'RS256', use: 'sig' };
}

// Kept across a key rotation, so that sessions and grants survive it.
const COOKIE_KEYS = [randomBytes(32).toString('base64url')];
const STORE = createMemoryAdapter();

// IDP_DPOP_NONCE=1 (the release tests): every DPoP proof at the token
// endpoint must carry a nonce this provider gave (RFC 9449 §8), so the app's
// retry with the nonce is exercised on every code exchange and refresh.
const DPOP = process.env.IDP_DPOP_NONCE === '1'
  ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
  : { enabled: true };

function appClient(clientId, clientName, grantTypes = ['authorization_code', 'refresh_token']) {
  return {
    client_id: clientId,
    client_name: clientName,
    application_type: 'web',
    token_endpoint_auth_method: 'none', // a public client: no secret
    grant_types: grantTypes,
    response_types: ['code'],
    // The callback, and the page a renewal's hidden frame comes back to.
    redirect_uris: [`${APP_ORIGIN}/callback`, `${APP_ORIGIN}/silent-callback.html`],
    post_logout_redirect_uris: [`${APP_ORIGIN}/`],
  };
}

// The first key signs; the others are still published, so that tokens they
// signed keep verifying after a rotation.
const configuration = (signingKeys) => ({
  clients: [
    appClient('demo-spa', 'Rust OIDC SPA'),
    ...(TEST_HOOKS
      ? [
          appClient(USERINFO_CLIENT, 'Rust OIDC SPA (UserInfo test)'),
          appClient(NO_REFRESH_CLIENT, 'Rust OIDC SPA (no refresh tokens)', ['authorization_code']),
        ]
      : []),
    ...(BENCH_PEER_ORIGIN
      ? [
          {
            client_id: 'bench-oidc-client-ts',
            client_name: 'oidc-client-ts peer (benchmark)',
            application_type: 'web',
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            redirect_uris: [`${BENCH_PEER_ORIGIN}/`],
          },
        ]
      : []),
  ],
  responseTypes: ['code'], // no implicit or hybrid flows at all
  scopes: ['openid', 'profile', 'email'],
  // The login and consent pages speak these; the app asks with ui_locales.
  discovery: { ui_locales_supported: UI_LOCALES_SUPPORTED },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  conformIdTokenClaims: false, // profile and email claims in the ID token
  adapter: STORE,
  jwks: { keys: signingKeys },
  cookies: { keys: COOKIE_KEYS },
  ttl: {
    AccessToken: ACCESS_TOKEN_TTL,
    IdToken: ID_TOKEN_TTL,
    RefreshToken: REFRESH_TOKEN_TTL,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 86400,
    Grant: 86400,
  },
  // Refresh tokens for the public client without offline_access, rotated
  // on every use (RFC 9700 §2.2.2): a reused one revokes the whole grant.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  // CORS for token, userinfo and revocation: only a client's own origin.
  clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
  findAccount: async (_ctx, sub) =>
    sub === DEMO_USER.claims.sub ? { accountId: sub, claims: async () => DEMO_USER.claims } : undefined,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false }, // it accepts any password
    dPoP: DPOP,
    revocation: { enabled: true },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.type = 'html';
        ctx.body = logoutPage({ form, host: ctx.host, lang: languageOf(ctx.oidc.params.ui_locales) });
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.type = 'html';
        ctx.body = signedOutPage();
      },
    },
    // JWT access tokens (RFC 9068) for the demo API, the default resource.
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, client) => (client.clientId === USERINFO_CLIENT ? undefined : API_RESOURCE),
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: 'api:read',
          audience: API_RESOURCE,
          accessTokenTTL: ACCESS_TOKEN_TTL,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = errorPage({ error: out.error, description: out.error_description });
  },
});

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 10_000) throw new errors.InvalidRequest('form too large');
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

// For the release tests: discovery names the keys on another host name
// (IDP_KEYS_HOST, e.g. localhost), as Google's does, so that a deployed
// policy listing only the issuer's origin would block the app.
const KEYS_HOST = process.env.IDP_KEYS_HOST;
async function keysOnAnotherHost(ctx, next) {
  await next();
  if (ctx.path === '/.well-known/openid-configuration' && ctx.body?.jwks_uri) {
    ctx.body = { ...ctx.body, jwks_uri: ctx.body.jwks_uri.replace(`//${HOST}:`, `//${KEYS_HOST}:`) };
  }
}

function buildProvider(signingKeys) {
  const provider = new Provider(ISSUER, configuration(signingKeys));
  if (KEYS_HOST) provider.use(keysOnAnotherHost);

  // The interaction pages: login, consent, and their cancel button.
  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/);
    if (!match) return next();
    const [, , action] = match;
    const interaction = await provider.interactionDetails(ctx.req, ctx.res);
    const client = await provider.Client.find(interaction.params.client_id);
    const clientName = client?.clientName ?? interaction.params.client_id;
    const lang = languageOf(interaction.params.ui_locales);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';

    if (ctx.method === 'GET' && !action) {
      if (interaction.prompt.name === 'login') {
        ctx.body = loginPage({ uid: interaction.uid, clientName, lang });
      } else {
        const { details } = interaction.prompt;
        const scopes = [
          ...(details.missingOIDCScope ?? []),
          ...Object.values(details.missingResourceScopes ?? {}).flat(),
        ];
        ctx.body = consentPage({ uid: interaction.uid, clientName, scopes, lang });
      }
      return undefined;
    }
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      return undefined;
    }

    let result;
    if (action === 'login') {
      const { username, password } = await formBody(ctx.req);
      if (!checkPassword(username, password)) {
        ctx.status = 401;
        ctx.body = loginPage({ uid: interaction.uid, clientName, username, lang, error: wrongPasswordMessage(lang) });
        return undefined;
      }
      result = { login: { accountId: DEMO_USER.claims.sub } };
    } else if (action === 'confirm') {
      const { prompt: { details }, params, session } = interaction;
      const grant = interaction.grantId
        ? await provider.Grant.find(interaction.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
      if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(' '));
      }
      result = { consent: { grantId: await grant.save() } };
    } else {
      result = { error: 'access_denied', error_description: 'The person cancelled the sign-in.' };
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: action !== 'login' });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return undefined;
  });

  provider.on('server_error', (_ctx, error) => console.error('provider error:', error));
  return provider;
}

// For the key rotation test only (IDP_TEST_HOOKS=1): a POST to
// /test/rotate-signing-key makes a new key the signing key, as a provider
// rotating its keys would. The old key stays published. Sessions, grants and
// refresh tokens live in STORE, which every instance shares, so they survive
// the swap.
let signingKeys = [signingKey()];
let handle = buildProvider(signingKeys).callback();

const server = createServer((req, res) => {
  if (TEST_HOOKS && req.method === 'POST' && req.url === '/test/rotate-signing-key') {
    signingKeys = [signingKey(), ...signingKeys];
    handle = buildProvider(signingKeys).callback();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ signing_kid: signingKeys[0].kid }));
    return;
  }
  handle(req, res);
});

server.listen(PORT, HOST, () => {
  console.log(`OpenID Provider ready at ${ISSUER} (demo login: alice / wonderland)`);
});
