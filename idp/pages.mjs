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

// The login and consent pages' words, in each language the provider
// advertises (ui_locales_supported); the app asks for one with ui_locales.
const WORDS = {
  en: {
    signInTitle: 'Sign in',
    signInHeading: (client) => `Sign in to continue to ${client}`,
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    cancel: 'Cancel',
    demoHint: 'Local demo provider. The demo account is alice / wonderland.',
    wrongPassword: 'Wrong username or password.',
    consentTitle: 'Allow access',
    consentHeading: (client) => `${client} asks for access`,
    allowedTo: 'It would be allowed to:',
    allow: 'Allow',
    signOutTitle: 'Sign out',
    signOutHeading: (host) => `Sign out of ${host}?`,
    signOut: 'Yes, sign me out',
    staySignedIn: 'No, stay signed in',
    scopes: {
      openid: 'confirm who you are',
      profile: 'see your name',
      email: 'see your email address',
      'api:read': 'read from the demo API on your behalf',
    },
  },
  fr: {
    signInTitle: 'Connexion',
    signInHeading: (client) => `Connectez-vous pour continuer vers ${client}`,
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    signIn: 'Se connecter',
    cancel: 'Annuler',
    demoHint: 'Fournisseur de démonstration local. Le compte de démonstration est alice / wonderland.',
    wrongPassword: 'Nom d’utilisateur ou mot de passe incorrect.',
    consentTitle: 'Autoriser l’accès',
    consentHeading: (client) => `${client} demande un accès`,
    allowedTo: 'Elle pourrait :',
    allow: 'Autoriser',
    signOutTitle: 'Déconnexion',
    signOutHeading: (host) => `Vous déconnecter de ${host} ?`,
    signOut: 'Oui, me déconnecter',
    staySignedIn: 'Non, rester connecté',
    scopes: {
      openid: 'confirmer votre identité',
      profile: 'voir votre nom',
      email: 'voir votre adresse e-mail',
      'api:read': 'lire l’API de démonstration en votre nom',
    },
  },
};

export const UI_LOCALES_SUPPORTED = Object.keys(WORDS);

/** The first language of `uiLocales` (space-separated BCP 47 tags) these pages speak; English if none. */
export function languageOf(uiLocales) {
  const wanted = String(uiLocales ?? '').split(' ').map((tag) => tag.split('-')[0].toLowerCase());
  return wanted.find((tag) => Object.hasOwn(WORDS, tag)) ?? 'en';
}

export function wrongPasswordMessage(lang) {
  return WORDS[lang].wrongPassword;
}

function layout(title, body, lang = 'en') {
  return `<!DOCTYPE html>
<html lang="${escapeHtml(lang)}">
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

export function loginPage({ uid, clientName, error, username, lang = 'en' }) {
  const words = WORDS[lang];
  return layout(words.signInTitle, `
    <h1>${escapeHtml(words.signInHeading(clientName))}</h1>
    ${error ? `<p class="error" role="alert" data-testid="login-error">${escapeHtml(error)}</p>` : ''}
    <form method="post" action="/interaction/${escapeHtml(uid)}/login">
      <label for="username">${words.username}</label>
      <input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(username)}">
      <label for="password">${words.password}</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <div class="buttons">
        <button class="primary" type="submit">${words.signIn}</button>
      </div>
    </form>
    <form method="post" action="/interaction/${escapeHtml(uid)}/abort">
      <div class="buttons"><button class="secondary" type="submit">${words.cancel}</button></div>
    </form>
    <p class="hint">${words.demoHint}</p>`, lang);
}

export function consentPage({ uid, clientName, scopes, lang = 'en' }) {
  const words = WORDS[lang];
  // What each scope lets the app do, in words; unknown scopes are shown as is.
  const describe = (scope) => words.scopes[scope] ?? scope;
  const items = scopes.map((scope) => `<li>${escapeHtml(describe(scope))} <code>${escapeHtml(scope)}</code></li>`).join('');
  return layout(words.consentTitle, `
    <h1>${escapeHtml(words.consentHeading(clientName))}</h1>
    <p>${words.allowedTo}</p>
    <ul>${items || `<li>${words.scopes.openid}</li>`}</ul>
    <div class="buttons">
      <form method="post" action="/interaction/${escapeHtml(uid)}/confirm">
        <button class="primary" type="submit">${words.allow}</button>
      </form>
      <form method="post" action="/interaction/${escapeHtml(uid)}/abort">
        <button class="secondary" type="submit">${words.cancel}</button>
      </form>
    </div>`, lang);
}

// `form` is the provider's own hidden form (with its CSRF token), id "op.logoutForm".
export function logoutPage({ form, host, lang = 'en' }) {
  const words = WORDS[lang];
  return layout(words.signOutTitle, `
    <h1>${escapeHtml(words.signOutHeading(host))}</h1>
    ${form}
    <div class="buttons">
      <button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>${words.signOut}</button>
      <button class="secondary" type="submit" form="op.logoutForm">${words.staySignedIn}</button>
    </div>`, lang);
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
