// @ts-check
// Signing reads. Locally reads are open ({"auth": "none"}). Where the stack
// protects reads, the server says {"auth": "cognito", origin, clientId}: the
// dashboard signs in through the Cognito hosted UI with the authorization
// code flow and PKCE, keeps the access token in sessionStorage (gone when
// the tab closes) and sends it as a bearer token on every read.

/** @import { DashboardConfig } from './api-types.js' */

/**
 * The access token as kept in sessionStorage.
 * @typedef {{ value: string, expiresAt: number }} StoredToken
 */

/**
 * What signIn() keeps in sessionStorage for the way back: the PKCE
 * verifier, the state it sent, and the page's hash to return to.
 * @typedef {{ verifier: string, state: string, hash: string }} PendingSignIn
 */

const TOKEN_KEY = 'recipe-diff.token';
const PENDING_KEY = 'recipe-diff.sign-in';

/** @type {DashboardConfig} */
let config = { auth: 'none' };

export function authConfig() {
  return config;
}

/**
 * The Cognito settings. Signing in and out is offered only when the server
 * gave them, so this throws only if that is broken.
 */
function cognito() {
  if (config.auth !== 'cognito') throw new SignInError('this server does not sign in');
  return config;
}

function redirectUri() {
  return location.origin + location.pathname;
}

/** @param {Uint8Array} bytes */
function base64url(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {number} size The number of random bytes. */
function randomText(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

/** @returns {StoredToken | null} */
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

/**
 * The Authorization header for reads, when signed in.
 * @returns {Record<string, string>}
 */
export function authHeaders() {
  const token = config.auth === 'cognito' ? storedToken() : null;
  return token ? { Authorization: `Bearer ${token.value}` } : {};
}

/**
 * Reads the server's settings and, on the way back from the hosted UI, finishes signing in.
 * @returns {Promise<DashboardConfig>}
 */
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
  const { origin, clientId } = cognito();
  const verifier = randomText(32);
  const state = randomText(16);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  /** @type {PendingSignIn} */
  const pending = { verifier, state, hash: location.hash };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL('/oauth2/authorize', origin);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri(),
    scope: 'openid',
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

export function signOut() {
  const { origin, clientId } = cognito();
  sessionStorage.removeItem(TOKEN_KEY);
  const url = new URL('/logout', origin);
  url.search = new URLSearchParams({ client_id: clientId, logout_uri: redirectUri() }).toString();
  location.assign(url.href);
}

async function finishSignIn() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return;
  const { origin, clientId } = cognito();
  /** @type {PendingSignIn | null} */
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
    response = await fetch(new URL('/oauth2/token', origin), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: clientId,
        // Set: an answer without a code was an error, thrown above.
        code: /** @type {string} */ (code),
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
  /** @param {string} reason Why, as a phrase: "the sign-in service could not be reached". */
  constructor(reason) {
    super(`Signing in failed: ${reason}.`);
    this.problem = { title: 'Signing in failed', detail: `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.` };
    this.status = 401;
  }
}
