// @ts-check
// One recipe: its current version, the makes as a timeline, its versions.

/** @import { CanonicalRecipe, MakeSummary } from './api-types.js' */
/** @import { PageView } from './dom.js' */

import { get, getAll, seg } from './api.js';
import { h, link, breadcrumbs, emptyState, srOnly } from './dom.js';
import { average, date, dateTime, documentIngredient, plural, rating, ratio, signed, summaryPhrases, time } from './format.js';

/**
 * ★ 4.5, said "<label> 4.5 out of 5"; "not rated" without a rating.
 * @param {number | null | undefined} value
 * @param {string} [label]
 */
export function stars(value, label = 'rated') {
  if (typeof value !== 'number') return h('span', { class: 'rating rating--none' }, 'not rated');
  return h('span', { class: 'rating' }, h('span', { 'aria-hidden': 'true' }, '★ '), srOnly(`${label} `), rating(value), srOnly(' out of 5'));
}

/**
 * A make in the recipe's timeline.
 * @param {string} recipeId
 * @param {MakeSummary} make
 * @param {number | undefined} recipeRating
 * @param {Set<number>} withdrawn The recipe's withdrawn versions.
 */
function makeItem(recipeId, make, recipeRating, withdrawn) {
  const when = make.madeAt || make.createdAt;
  const delta = typeof make.rating === 'number' && typeof recipeRating === 'number' ? make.rating - recipeRating : null;
  const phrases = summaryPhrases(make.summary);
  return h(
    'li',
    { class: 'timeline__item' },
    h('time', { class: 'timeline__date', datetime: when }, date(when)),
    h(
      'div',
      { class: 'timeline__card' },
      h('h3', { class: 'timeline__title' }, link(['recipes', recipeId, 'makes', make.makeId], {}, make.makeId)),
      h(
        'p',
        { class: 'timeline__meta' },
        stars(make.rating),
        delta !== null && delta !== 0 &&
          h('span', { class: ['delta', delta > 0 ? 'delta--up' : 'delta--down'] }, `${signed(delta)} vs recipe`),
        typeof make.scaleFactor === 'number' && h('span', { class: 'badge badge--scaled' }, `scaled ${ratio(make.scaleFactor)}`),
        h('span', { class: 'muted' }, `made from version ${make.version}`),
        withdrawn.has(make.version) && h('span', { class: 'badge badge--withdrawn' }, 'version withdrawn'),
      ),
      phrases.length
        ? h('ul', { class: 'chips', 'aria-label': 'What changed' }, phrases.map((p) => h('li', { class: 'chip' }, p.text)))
        : h('p', { class: 'muted' }, 'Made exactly as written.'),
    ),
  );
}

/**
 * A recipe's ingredients (under their groups) and method (under their sections).
 * @param {Partial<CanonicalRecipe>} document
 */
export function recipeContents(document) {
  const ingredients = document.ingredients ?? [];
  const steps = document.steps ?? [];
  let group = null;
  const items = [];
  for (const ingredient of ingredients) {
    if (ingredient.group && ingredient.group !== group) {
      group = ingredient.group;
      items.push(h('li', { class: 'plain-list__group' }, group));
    }
    const text = documentIngredient(ingredient);
    items.push(
      h('li', {}, text.amount && h('span', { class: 'amount' }, text.amount), ' ', h('span', { class: 'name' }, text.name), text.note && h('span', { class: 'note' }, `, ${text.note}`)),
    );
  }
  let section = null;
  const stepItems = [];
  for (const step of steps) {
    if (step.section && step.section !== section) {
      section = step.section;
      stepItems.push(h('li', { class: 'plain-list__group', 'aria-hidden': 'true' }, section));
    }
    stepItems.push(h('li', { class: 'method__step' }, step.stepText));
  }
  return h(
    'div',
    { class: 'recipe-body' },
    h('section', { class: 'recipe-body__ingredients', 'aria-labelledby': 'h-ingredients' }, h('h3', { id: 'h-ingredients' }, 'Ingredients'), ingredients.length ? h('ul', { class: 'plain-list' }, items) : h('p', { class: 'muted' }, 'No ingredients listed.')),
    h('section', { class: 'recipe-body__method', 'aria-labelledby': 'h-method' }, h('h3', { id: 'h-method' }, 'Method'), steps.length ? h('ol', { class: 'method' }, stepItems) : h('p', { class: 'muted' }, 'No steps listed.')),
  );
}

/**
 * @param {string} recipeId
 * @returns {Promise<PageView>}
 */
export async function recipePage(recipeId) {
  const [recipe, versions, makes] = await Promise.all([
    get(`recipes/${seg(recipeId)}`),
    getAll(`recipes/${seg(recipeId)}/versions`),
    getAll(`recipes/${seg(recipeId)}/makes`),
  ]);
  /** @type {Partial<CanonicalRecipe>} */
  const doc = recipe.document ?? {};
  const recipeRating = doc.rating;
  makes.sort((a, b) => (time(b.madeAt || b.createdAt) ?? 0) - (time(a.madeAt || a.createdAt) ?? 0));
  versions.sort((a, b) => b.version - a.version);
  // Versions whose file was deleted from the bucket: kept, never current.
  const withdrawn = new Set(versions.filter((v) => v.withdrawnAt).map((v) => v.version));

  const header = h(
    'header',
    { class: 'page-header' },
    breadcrumbs([['Recipes', []], recipe.name]),
    h('p', { class: 'eyebrow' }, 'Recipe'),
    h('h1', {}, recipe.name),
    h(
      'p',
      { class: 'page-header__meta' },
      stars(recipeRating),
      h('span', {}, plural(recipe.makeCount ?? makes.length, 'make')),
      typeof recipe.averageMakeRating === 'number' &&
        h('span', {}, 'makes average ', h('span', { class: 'rating rating--quiet' }, '★ ', average(recipe.averageMakeRating))),
      doc.recipeYield && h('span', {}, `Makes ${doc.recipeYield}`),
      h('span', { class: 'muted' }, `Version ${recipe.version} of ${recipe.currentVersion}`),
    ),
    recipe.withdrawn &&
      h(
        'p',
        { class: 'notice notice--withdrawn', role: 'status' },
        h('strong', {}, 'Withdrawn. '),
        'Every file of this recipe was deleted from the bucket, so new makes of it are refused. The makes already logged are kept.',
      ),
    h(
      'p',
      { class: 'page-header__actions' },
      !recipe.withdrawn && link(['recipes', recipeId, 'log'], { class: 'button', id: 'i-made-this' }, 'I made this'),
      ' ',
      link(['recipes', recipeId, 'insights'], { class: 'button button--quiet' }, 'Insights: what cooks change'),
    ),
  );

  const timeline = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'h-makes' },
    h('h2', { id: 'h-makes' }, 'Makes'),
    makes.length
      ? h('ol', { class: 'timeline', reversed: true }, makes.map((m) => makeItem(recipeId, m, recipeRating, withdrawn)))
      : emptyState('No makes logged yet.', 'Each time someone cooks this recipe, log it with “I made this” (or upload a make under makes/) and it shows here.'),
  );

  const current = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'h-current' },
    h('h2', { id: 'h-current' }, `The recipe (version ${recipe.version})`),
    recipeContents(doc),
  );

  const versionTable = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'h-versions' },
    h('h2', { id: 'h-versions' }, 'Versions'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table' },
        h('caption', { class: 'sr-only' }, `Versions of ${recipe.name}, newest first`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Uploaded'))),
        h(
          'tbody',
          {},
          versions.map((v) =>
            h(
              'tr',
              { class: v.withdrawnAt ? 'row--withdrawn' : '' },
              h(
                'th',
                { scope: 'row' },
                `v${v.version}`,
                v.version === recipe.currentVersion && !recipe.withdrawn ? h('span', { class: 'badge badge--current' }, 'current') : '',
                v.withdrawnAt ? h('span', { class: 'badge badge--withdrawn', title: `withdrawn ${dateTime(v.withdrawnAt)}` }, 'withdrawn') : '',
              ),
              h('td', {}, v.name),
              h('td', {}, h('time', { datetime: v.createdAt }, dateTime(v.createdAt))),
            ),
          ),
        ),
      ),
    ),
  );

  return {
    title: recipe.name,
    node: h('div', {}, header, h('div', { class: 'recipe-layout' }, timeline, current), versionTable),
  };
}
