// @ts-check
// Recipes, with a search over their names and ids.

/** @import { RecipeSummary } from './api-types.js' */
/** @import { PageView } from './dom.js' */

import { getAll } from './api.js';
import { h, link, emptyState, srOnly } from './dom.js';
import { average, date, plural, rating } from './format.js';

/**
 * Text as the search compares it: lower case, without accents.
 * @param {unknown} text
 */
function fold(text) {
  return String(text ?? '')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

/**
 * ★ 4.5, said "<label> 4.5 out of 5"; nothing without a rating.
 * @param {number | null | undefined} value
 * @param {string} label
 */
function ratingBadge(value, label) {
  if (typeof value !== 'number') return null;
  return h('span', { class: 'rating' }, h('span', { 'aria-hidden': 'true' }, '★ '), srOnly(`${label} `), rating(value), srOnly(' out of 5'));
}

/** @param {RecipeSummary} recipe */
function card(recipe) {
  const makes = recipe.makeCount ?? 0;
  return h(
    'li',
    { class: 'recipe-card', dataset: { search: fold(`${recipe.name} ${recipe.recipeId}`) } },
    h('h2', { class: 'recipe-card__title' }, link(['recipes', recipe.recipeId], { class: 'recipe-card__link' }, recipe.name)),
    h(
      'p',
      { class: 'recipe-card__meta' },
      ratingBadge(recipe.rating, 'rated'),
      h('span', {}, plural(makes, 'make')),
      typeof recipe.averageMakeRating === 'number' &&
        h('span', {}, 'makes average ', h('span', { class: 'rating rating--quiet' }, '★ ', average(recipe.averageMakeRating))),
    ),
    h(
      'p',
      { class: 'recipe-card__foot' },
      recipe.withdrawn ? h('span', { class: 'badge badge--withdrawn' }, 'withdrawn') : h('span', {}, `Version ${recipe.currentVersion}`),
      h('span', {}, 'Updated ', h('time', { datetime: recipe.updatedAt }, date(recipe.updatedAt))),
    ),
  );
}

/** @returns {Promise<PageView>} */
export async function recipesPage() {
  const recipes = await getAll('recipes');
  recipes.sort((a, b) => fold(a.name).localeCompare(fold(b.name)) || a.recipeId.localeCompare(b.recipeId));
  const totalMakes = recipes.reduce((n, r) => n + (r.makeCount ?? 0), 0);

  const header = h(
    'header',
    { class: 'page-header' },
    h('h1', {}, 'Recipes'),
    h('p', { class: 'lede' }, `${plural(recipes.length, 'recipe')} · ${plural(totalMakes, 'make')} logged. Pick one to see how each make differed from it.`),
  );
  if (recipes.length === 0) {
    return {
      title: 'Recipes',
      empty: true,
      node: h(
        'div',
        {},
        header,
        emptyState(
          'No recipes yet.',
          'Upload a recipe under recipes/ in the bucket (or drop the examples with the local chain), then log a make under makes/.',
        ),
      ),
    };
  }

  const list = h('ul', { class: 'recipe-grid', id: 'recipe-list' }, recipes.map(card));
  const count = h('p', { class: 'search__count', id: 'recipe-count', role: 'status' }, plural(recipes.length, 'recipe'));
  const none = h('p', { class: 'state state--empty', hidden: true }, '');
  const input = h('input', {
    id: 'recipe-search',
    type: 'search',
    name: 'q',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'Apple pie, pancakes…',
    'aria-describedby': 'recipe-count',
  });
  input.addEventListener('input', () => {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of /** @type {HTMLCollectionOf<HTMLLIElement>} */ (list.children)) {
      // Every card has its data-search (card() sets it).
      const search = /** @type {string} */ (item.dataset.search);
      const hit = words.every((w) => search.includes(w));
      item.hidden = !hit;
      if (hit) shown += 1;
    }
    count.textContent = words.length ? `${plural(shown, 'recipe')} match “${input.value.trim()}”` : plural(recipes.length, 'recipe');
    none.hidden = shown > 0;
    none.textContent = shown > 0 ? '' : `No recipe matches “${input.value.trim()}”.`;
  });
  const search = h(
    'form',
    { class: 'search', role: 'search', onsubmit: (e) => e.preventDefault() },
    h('label', { for: 'recipe-search', class: 'search__label' }, 'Search recipes'),
    input,
    count,
  );
  return { title: 'Recipes', node: h('div', {}, header, search, list, none) };
}
