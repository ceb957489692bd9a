// @ts-check
// The dashboard: a hash router over nine pages, each built from the API's
// JSON with DOM nodes (dom.js), never from HTML strings.

/** @import { Failure } from './api.js' */
/** @import { PageView } from './dom.js' */

import { h, link } from './dom.js';
import { startAuth, authConfig, needsSignIn, isSignedIn, signIn, signOut } from './auth.js';
import { recipesPage } from './page-recipes.js';
import { recipePage } from './page-recipe.js';
import { makePage } from './page-make.js';
import { insightsPage } from './page-insights.js';
import { acrossPage } from './page-across.js';
import { rejectionsPage } from './page-rejections.js';
import { logMakePage, variantPage } from './page-log.js';
import { addRecipePage } from './page-add.js';

const SITE = 'Recipe diff';

/**
 * A page: the hash it answers (its groups are the page's arguments, decoded),
 * and the navigation entry it belongs to.
 * @typedef {{ name: string, pattern: RegExp, page: (...params: string[]) => Promise<PageView>, nav: string }} Route
 */

/** @type {Route[]} */
const ROUTES = [
  { name: 'recipes', pattern: /^#?\/?$/, page: recipesPage, nav: 'recipes' },
  { name: 'recipe', pattern: /^#\/recipes\/([^/]+)$/, page: recipePage, nav: 'recipes' },
  { name: 'make', pattern: /^#\/recipes\/([^/]+)\/makes\/([^/]+)$/, page: makePage, nav: 'recipes' },
  { name: 'insights', pattern: /^#\/recipes\/([^/]+)\/insights$/, page: insightsPage, nav: 'recipes' },
  { name: 'log', pattern: /^#\/recipes\/([^/]+)\/log$/, page: logMakePage, nav: 'recipes' },
  { name: 'variant', pattern: /^#\/recipes\/([^/]+)\/variant$/, page: variantPage, nav: 'recipes' },
  { name: 'add', pattern: /^#\/add$/, page: addRecipePage, nav: 'add' },
  { name: 'across', pattern: /^#\/insights(?:\?(.*))?$/, page: acrossPage, nav: 'insights' },
  { name: 'rejections', pattern: /^#\/rejections$/, page: rejectionsPage, nav: 'rejections' },
];

// Both are in index.html.
const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const announcer = /** @type {HTMLElement} */ (document.getElementById('announce'));
let generation = 0;
/** @type {unknown} */
let startError = null;

/**
 * The route a hash names, with its arguments; null for none (or one whose
 * arguments do not decode).
 * @param {string} hash
 * @returns {{ route: Route, params: string[] } | null}
 */
function match(hash) {
  for (const route of ROUTES) {
    const found = route.pattern.exec(hash);
    if (found) {
      try {
        return { route, params: found.slice(1).map((p) => (p === undefined ? '' : decodeURIComponent(p))) };
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** @param {string | undefined} current */
function setNav(current) {
  for (const a of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-nav]'))) {
    if (a.classList.contains('brand')) continue;
    if (a.dataset.nav === current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function loadingView() {
  return h('div', { class: 'state state--loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('p', {}, 'Loading…'));
}

/** @param {unknown} thrown */
function errorView(thrown) {
  const error = /** @type {Failure | null | undefined} */ (thrown);
  const problem = error?.problem ?? { title: 'Something went wrong', detail: String(error?.message ?? error) };
  const signInNeeded = error?.status === 401 && authConfig().auth === 'cognito';
  return h(
    'div',
    { class: 'state state--error', role: 'alert' },
    h('h1', { class: 'state__title' }, problem.title || 'Something went wrong'),
    h('p', { class: 'state__detail' }, problem.detail || 'The server did not say why.'),
    (problem.code || error?.status) &&
      h('p', { class: 'state__code' }, [problem.code, error?.status ? `HTTP ${error.status}` : null].filter(Boolean).join(' · ')),
    h(
      'p',
      { class: 'state__actions' },
      signInNeeded
        ? h('button', { type: 'button', class: 'button', onclick: () => signIn() }, 'Sign in')
        : h('button', { type: 'button', class: 'button', onclick: () => render() }, 'Try again'),
      ' ',
      link([], { class: 'button button--quiet' }, 'All recipes'),
    ),
  );
}

function signInView() {
  return h(
    'div',
    { class: 'state state--signin' },
    h('h1', { class: 'state__title' }, 'Sign in to see your recipes'),
    h('p', {}, 'This dashboard’s recipes and makes are private. Sign in with your account to read them.'),
    h('p', {}, h('button', { type: 'button', class: 'button', onclick: () => signIn() }, 'Sign in')),
  );
}

function renderSession() {
  const box = document.getElementById('session');
  if (!box) return;
  box.replaceChildren(
    isSignedIn() ? h('button', { type: 'button', class: 'button button--quiet', onclick: () => signOut() }, 'Sign out') : '',
  );
}

/**
 * Shows the page the hash names (a later call wins over one still loading).
 * @param {{ focus?: boolean }} [options] Move the focus to the new page's heading.
 */
async function render({ focus = false } = {}) {
  const gen = ++generation;
  const found = match(location.hash || '#/');
  main.dataset.page = found?.route.name ?? 'not-found';
  main.dataset.state = 'loading';
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(loadingView());
  setNav(found?.route.nav);
  renderSession();

  /** @type {Node} */
  let content;
  let state = 'ready';
  let title = SITE;
  try {
    if (startError) throw startError;
    if (!found) {
      throw { status: 404, problem: { title: 'No such page', detail: `The dashboard has no page ${location.hash}.` } };
    }
    if (needsSignIn()) {
      content = signInView();
      state = 'signin';
      title = `Sign in · ${SITE}`;
    } else {
      const page = await found.route.page(...found.params);
      if (gen !== generation) return;
      content = page.node;
      state = page.empty ? 'empty' : 'ready';
      title = page.title ? `${page.title} · ${SITE}` : SITE;
    }
  } catch (error) {
    if (gen !== generation) return;
    content = errorView(error);
    state = 'error';
    title = `${/** @type {Failure | null | undefined} */ (error)?.problem?.title ?? 'Error'} · ${SITE}`;
  }
  main.replaceChildren(content);
  main.dataset.state = state;
  main.setAttribute('aria-busy', 'false');
  document.title = title;
  announcer.textContent = `${title.replace(` · ${SITE}`, '')} loaded`;
  if (focus) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
}

// The skip link must not change the hash (the hash is the route).
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', () => render({ focus: true }));

startAuth()
  .catch((error) => {
    startError = error;
  })
  .finally(() => render());
