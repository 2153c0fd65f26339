// The provider's own small pages (login, consent, logout, errors): no
// external fonts or scripts, every interpolated value escaped.

const escapeHtml = (value) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const STYLE = `
  :root { color-scheme: light dark; --bg: #eef1f5; --ink: #1d2330; --muted: #5b6475; --surface: #fff;
          --line: #d5dbe4; --accent: #2b59c3; --accent-ink: #fff; --focus: #b7410e;
          --error: #a4161a; --error-bg: #fdecec; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #111419; --ink: #e6e9ef; --muted: #a9b1bf; --surface: #1b1f27; --line: #343b48;
            --accent: #8cb4ff; --accent-ink: #0d1526; --focus: #ffb38a; --error: #ff9a9a; --error-bg: #3a1618; }
  }
  body { font-family: system-ui, sans-serif; background: var(--bg); color: var(--ink); margin: 0; }
  main { max-width: 24rem; margin: 4rem auto; background: var(--surface); border: 1px solid var(--line);
         border-radius: 10px; padding: 1.5rem 1.75rem; }
  @media (max-width: 30rem) { main { margin: 1rem 0.5rem; padding: 1rem; } }
  h1 { font-size: 1.3rem; margin-top: 0; }
  label { display: block; margin: 0.8rem 0 0.25rem; }
  input { width: 100%; box-sizing: border-box; font: inherit; padding: 0.45rem; }
  .buttons { display: flex; flex-wrap: wrap; gap: 0.6rem; margin-top: 1.2rem; }
  button { font: inherit; padding: 0.5rem 1rem; border-radius: 6px; border: 1px solid var(--accent); cursor: pointer; }
  :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  .primary { background: var(--accent); color: var(--accent-ink); }
  .secondary { background: var(--surface); color: var(--accent); }
  .error { color: var(--error); background: var(--error-bg); padding: 0.5rem 0.7rem; border-radius: 6px; }
  .hint { color: var(--muted); font-size: 0.9rem; }
  ul { padding-left: 1.2rem; }
`;

function layout(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${escapeHtml(title)} · Local OpenID Provider</title>
  <style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function loginPage({ uid, clientName, error, username }) {
  return layout('Sign in', `
    <h1>Sign in to continue to ${escapeHtml(clientName)}</h1>
    ${error ? `<p class="error" role="alert" data-testid="login-error">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="/interaction/${escapeHtml(uid)}/login">
      <label for="username">Username</label>
      <input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(username)}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <div class="buttons">
        <button class="primary" type="submit">Sign in</button>
      </div>
    </form>
    <form method="post" action="/interaction/${escapeHtml(uid)}/abort">
      <div class="buttons"><button class="secondary" type="submit">Cancel</button></div>
    </form>
    <p class="hint">Local demo provider. The demo account is alice / wonderland.</p>`);
}

// What each scope lets the app do, in words; unknown scopes are shown as is.
const SCOPE_DESCRIPTIONS = {
  openid: 'confirm who you are',
  profile: 'see your name',
  email: 'see your email address',
  'api:read': 'read from the demo API on your behalf',
};

export function consentPage({ uid, clientName, scopes }) {
  const describe = (scope) => SCOPE_DESCRIPTIONS[scope] ?? scope;
  const items = scopes.map((scope) => `<li>${escapeHtml(describe(scope))} <code>${escapeHtml(scope)}</code></li>`).join('');
  return layout('Allow access', `
    <h1>${escapeHtml(clientName)} asks for access</h1>
    <p>It would be allowed to:</p>
    <ul>${items || '<li>confirm who you are</li>'}</ul>
    <div class="buttons">
      <form method="post" action="/interaction/${escapeHtml(uid)}/confirm">
        <button class="primary" type="submit">Allow</button>
      </form>
      <form method="post" action="/interaction/${escapeHtml(uid)}/abort">
        <button class="secondary" type="submit">Cancel</button>
      </form>
    </div>`);
}

// `form` is the provider's own hidden form (with its CSRF token), id "op.logoutForm".
export function logoutPage({ form, host }) {
  return layout('Sign out', `
    <h1>Sign out of ${escapeHtml(host)}?</h1>
    ${form}
    <div class="buttons">
      <button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
      <button class="secondary" type="submit" form="op.logoutForm">No, stay signed in</button>
    </div>`);
}

export function signedOutPage() {
  return layout('Signed out', '<h1>You are signed out</h1><p>You can close this window.</p>');
}

export function errorPage({ error, description }) {
  return layout('Error', `
    <h1>Something went wrong</h1>
    <p class="error" role="alert">${escapeHtml(description || 'The request could not be completed.')}</p>
    <p class="hint">Error code: <code>${escapeHtml(error)}</code></p>`);
}
