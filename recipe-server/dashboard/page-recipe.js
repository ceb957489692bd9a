// @ts-check
// One recipe: its current version, the makes as a timeline, where it came
// from (the line back to its original, and how it differs from its
// parent), its variants, and its history: every version with where it came
// from, its makes and how it differs from the one before, each older one
// restorable.

/** @import { CanonicalRecipe, MakeSummary, RecipeVersion, VersionSource, VersionSummary } from './api-types.js' */
/** @import { PageView } from './dom.js' */

import { get, getAll, seg } from './api.js';
import { h, link, breadcrumbs, emptyState, srOnly } from './dom.js';
import { average, date, dateTime, documentIngredient, percent, plural, rating, ratio, signed, summaryPhrases, time } from './format.js';
import { restoredDocument, saveShowing, saveVersion } from './evolve.js';

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
 * What a comparison's summary says, as chips (nothing: a sentence).
 * @param {{ diff: { summary: import('./api-types.js').Summary } } | null} comparison
 * @param {string} same What to say when nothing differs.
 */
function comparisonChips(comparison, same) {
  if (!comparison) return h('p', { class: 'muted' }, 'The comparison could not be read.');
  const phrases = summaryPhrases(comparison.diff.summary);
  return phrases.length ? h('ul', { class: 'chips' }, phrases.map((p) => h('li', { class: 'chip' }, p.text))) : h('p', {}, same);
}

/**
 * Where a version came from, in words, with a link to an adopted make.
 * @param {string} recipeId
 * @param {VersionSource | undefined} source
 */
export function sourceText(recipeId, source) {
  switch (source?.kind) {
    case 'adopted':
      return h('span', { class: 'source source--adopted' }, 'adopted from make ', link(['recipes', recipeId, 'makes', source.makeId], {}, source.makeId));
    case 'restored':
      return h('span', { class: 'source source--restored' }, `restored from version ${source.version}`);
    default:
      return h('span', { class: 'source' }, 'uploaded');
  }
}

/**
 * "Based on …": the parent, the whole line back to the original, and how
 * this recipe differs from the version of its parent it came from.
 * @param {RecipeVersion} recipe
 */
async function lineagePanel(recipe) {
  if (recipe.parentErased) {
    return h('p', { class: 'notice', id: 'based-on' }, 'Based on an erased recipe.');
  }
  const [parent] = recipe.lineage;
  if (!recipe.variantOf || !parent) return null;
  const from = recipe.variantOf;
  const comparison = await get('compare', { from: `${from.recipeId}@${from.version}`, to: `${recipe.recipeId}@${recipe.version}` }).catch(() => null);
  const last = recipe.lineage[recipe.lineage.length - 1];
  return h(
    'section',
    { class: 'panel', id: 'lineage', 'aria-labelledby': 'h-lineage' },
    h('h2', { id: 'h-lineage' }, 'Where it came from'),
    h('p', { id: 'based-on' }, 'A variant, based on ', link(['recipes', parent.recipeId], {}, parent.name), ` (version ${from.version}).`),
    recipe.lineage.length > 1 &&
      h(
        'ol',
        { class: 'lineage', 'aria-label': 'The line back to the original' },
        h('li', {}, recipe.name),
        recipe.lineage.map((a) => h('li', {}, link(['recipes', a.recipeId], {}, a.name))),
      ),
    last?.parentErased && h('p', { class: 'muted' }, `${last.name} is itself based on an erased recipe.`),
    h('h3', {}, `What differs from ${parent.name}`),
    h('div', { id: 'compared-with-parent' }, comparisonChips(comparison, 'The same as the version it came from.')),
  );
}

/**
 * The history: each version, newest first, with where it came from, its
 * makes' figures and makes, how it differs from the one before (read when
 * opened), and, for an older one, "Restore".
 * @param {RecipeVersion} recipe
 * @param {VersionSummary[]} versions Newest first.
 * @param {MakeSummary[]} makes
 */
function historyPanel(recipe, versions, makes) {
  const recipeId = recipe.recipeId;
  const status = h('p', { class: 'editor__status', role: 'status', 'aria-live': 'polite', id: 'restore-status' });
  const items = versions.map((v, i) => {
    const before = versions[i + 1];
    const ofVersion = makes.filter((m) => m.version === v.version);
    const compare = h('div', { class: 'history__compare' });
    const details = before
      ? h('details', { class: 'history__details', id: `compare-${v.version}` }, h('summary', {}, `What changed from version ${before.version}`), compare)
      : null;
    details?.addEventListener('toggle', async () => {
      if (!before || !details.open || compare.childElementCount) return;
      compare.replaceChildren(h('p', { class: 'muted' }, 'Comparing…'));
      const comparison = await get('compare', { from: `${recipeId}@${before.version}`, to: `${recipeId}@${v.version}` }).catch(() => null);
      compare.replaceChildren(comparisonChips(comparison, 'Nothing that changes how it is cooked.'));
    });
    const current = v.version === recipe.currentVersion && !recipe.withdrawn;
    const restore =
      current
        ? null
        : h('button', { type: 'button', class: 'button button--quiet restore', id: `restore-${v.version}`, dataset: { version: String(v.version) } }, `Restore version ${v.version}`);
    restore?.addEventListener('click', () =>
      saveShowing(
        { button: restore, status, what: 'the restored version', saving: `Uploading version ${v.version} as the next version…`, waiting: 'Uploaded, not stored yet: the history shows it once the chain has read it.' },
        async () => {
          const old = await get(`recipes/${seg(recipeId)}`, { version: v.version });
          return saveVersion(recipeId, recipe.currentVersion, `${recipeId}.restore-${v.version}`, restoredDocument(old.document, v.version));
        },
        (version) => {
          status.textContent = `Version ${v.version} is restored as version ${version}.`;
          // The same hash: draw the page again.
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        },
      ),
    );
    const count = v.makeCount ?? ofVersion.length;
    return h(
      'li',
      { class: ['history__item', v.withdrawnAt ? 'row--withdrawn' : ''], dataset: { version: String(v.version) } },
      h(
        'h3',
        { class: 'history__title' },
        `Version ${v.version}`,
        current ? h('span', { class: 'badge badge--current' }, 'current') : '',
        v.withdrawnAt ? h('span', { class: 'badge badge--withdrawn', title: `withdrawn ${dateTime(v.withdrawnAt)}` }, 'withdrawn') : '',
      ),
      h('p', { class: 'history__meta' }, h('span', {}, v.name), ' · ', sourceText(recipeId, v.source), ' · ', h('time', { datetime: v.createdAt }, dateTime(v.createdAt))),
      h(
        'p',
        { class: 'history__figures' },
        plural(count, 'make'),
        typeof v.averageMakeRating === 'number' && [' · ', h('span', { class: 'rating rating--quiet' }, '★ ', average(v.averageMakeRating)), ' on average'],
        typeof v.changedShare === 'number' && ` · ${percent(v.changedShare)} changed something`,
      ),
      ofVersion.length > 0 &&
        h('ul', { class: 'history__makes', 'aria-label': `Makes of version ${v.version}` }, ofVersion.map((m) => h('li', {}, link(['recipes', recipeId, 'makes', m.makeId], {}, m.makeId)))),
      details,
      restore,
    );
  });
  return h(
    'section',
    { class: 'panel', id: 'history', 'aria-labelledby': 'h-history' },
    h('h2', { id: 'h-history' }, 'History'),
    h('ol', { class: 'history', reversed: true }, items),
    status,
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
      link(['recipes', recipeId, 'variant'], { class: 'button button--quiet', id: 'make-variant' }, 'Make a variant'),
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

  const variants =
    recipe.variants.length > 0 &&
    h(
      'section',
      { class: 'panel', id: 'variants', 'aria-labelledby': 'h-variants' },
      h('h2', { id: 'h-variants' }, 'Variants'),
      h('ul', { class: 'plain-list' }, recipe.variants.map((v) => h('li', {}, link(['recipes', v.recipeId], {}, v.name)))),
    );

  const lineage = await lineagePanel(recipe);
  return {
    title: recipe.name,
    node: h('div', {}, header, lineage, h('div', { class: 'recipe-layout' }, timeline, current), historyPanel(recipe, versions, makes), variants),
  };
}
