// The peer: a minimal page doing what our app does with oidc-client-ts, as
// its documentation recommends (code flow + PKCE via discovery; the user kept
// in memory rather than in sessionStorage, like our app).
import { InMemoryWebStorage, UserManager, WebStorageStateStore } from 'oidc-client-ts';

const manager = new UserManager({
  authority: 'http://127.0.0.1:9000',
  client_id: 'bench-oidc-client-ts',
  redirect_uri: `${location.origin}/`,
  response_type: 'code',
  scope: 'openid profile email api:read',
  userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
});

const app = document.getElementById('app');

function showSignIn() {
  const button = document.createElement('button');
  button.textContent = 'Sign in';
  button.addEventListener('click', () => manager.signinRedirect());
  app.replaceChildren(button);
}

function showUser(user) {
  const name = document.createElement('h1');
  name.dataset.testid = 'user-name';
  name.textContent = user.profile.name;
  app.replaceChildren(name);
}

const params = new URLSearchParams(location.search);
if (params.has('code') || params.has('error')) {
  manager
    .signinRedirectCallback()
    .then((user) => {
      history.replaceState(null, '', '/');
      showUser(user);
    })
    .catch((error) => {
      app.textContent = `Sign-in failed: ${error.message}`;
    });
} else {
  showSignIn();
}
