// Mints distinct access tokens for the API load, as many users' apps would
// hold them: refreshes one sign-in's refresh token again and again at the
// real provider (each answer rotates it), as our app does (public client,
// no DPoP). usage: node mint-tokens.mjs REFRESH_TOKEN COUNT OUT
import { writeFileSync } from 'node:fs';

const [refreshToken, count, out] = process.argv.slice(2);
const PROVIDER = 'http://127.0.0.1:9000';
const { token_endpoint: tokenEndpoint } = await (await fetch(`${PROVIDER}/.well-known/openid-configuration`)).json();
const tokens = new Set();
let refresh = refreshToken;
while (tokens.size < Number(count)) {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: 'demo-spa' }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`refresh ${tokens.size + 1}: HTTP ${response.status} ${body.error}`);
  tokens.add(body.access_token);
  refresh = body.refresh_token;
}
writeFileSync(out, [...tokens].join('\n') + '\n');
