// Signing reads. Locally reads are open ({"auth": "none"}). Where the stack
// protects reads, the server says {"auth": "cognito", origin, clientId}: the
// dashboard signs in through the Cognito hosted UI with the authorization
// code flow and PKCE, keeps the access token in sessionStorage (gone when
// the tab closes) and sends it as a bearer token on every read.

const TOKEN_KEY = 'recipe-diff.token';
const PENDING_KEY = 'recipe-diff.sign-in';

let config = { auth: 'none' };

export function authConfig() {
  return config;
}

function redirectUri() {
  return location.origin + location.pathname;
}

function base64url(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

function storedToken() {
  try {
    const token = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null');
    if (token && typeof token.value === 'string' && token.expiresAt > Date.now() + 30_000) return token;
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

export function needsSignIn() {
  return config.auth === 'cognito' && !storedToken();
}

export function isSignedIn() {
  return config.auth === 'cognito' && storedToken() !== null;
}

/** The Authorization header for reads, when signed in. */
export function authHeaders() {
  const token = config.auth === 'cognito' ? storedToken() : null;
  return token ? { Authorization: `Bearer ${token.value}` } : {};
}

/** Reads the server's settings and, on the way back from the hosted UI, finishes signing in. */
export async function startAuth() {
  try {
    const response = await fetch(new URL('dashboard/config.json', document.baseURI), {
      headers: { Accept: 'application/json' },
    });
    if (response.ok) config = await response.json();
  } catch {
    // No settings: reads are open, as locally.
  }
  if (config.auth === 'cognito') await finishSignIn();
  return config;
}

/** Goes to the hosted UI; it comes back to this page with ?code=…&state=…. */
export async function signIn() {
  const verifier = randomText(32);
  const state = randomText(16);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL('/oauth2/authorize', config.origin);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid',
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  });
  location.assign(url.href);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  const url = new URL('/logout', config.origin);
  url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() });
  location.assign(url.href);
}

async function finishSignIn() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return;
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PENDING_KEY);
  // The code is single-use: take it out of the address bar and history.
  history.replaceState(null, '', redirectUri() + (pending?.hash ?? ''));
  if (error) throw new SignInError(params.get('error_description') || error);
  if (!pending || pending.state !== params.get('state')) {
    throw new SignInError('the answer from the sign-in page does not match this browser’s request');
  }
  let response;
  try {
    response = await fetch(new URL('/oauth2/token', config.origin), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code,
        redirect_uri: redirectUri(),
        code_verifier: pending.verifier,
      }),
    });
  } catch {
    throw new SignInError('the sign-in service could not be reached');
  }
  const body = response.ok ? await response.json().catch(() => null) : null;
  if (!body || typeof body.access_token !== 'string') {
    throw new SignInError(`the sign-in service refused the code (${response.status})`);
  }
  const lifetime = Number(body.expires_in) > 0 ? Number(body.expires_in) : 3600;
  sessionStorage.setItem(
    TOKEN_KEY,
    JSON.stringify({ value: body.access_token, expiresAt: Date.now() + lifetime * 1000 }),
  );
}

export class SignInError extends Error {
  constructor(reason) {
    super(`Signing in failed: ${reason}.`);
    this.problem = { title: 'Signing in failed', detail: `${reason[0].toUpperCase()}${reason.slice(1)}.` };
    this.status = 401;
  }
}
