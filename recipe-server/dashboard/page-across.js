// @ts-check
// What the makes of every recipe say together, or of one recipe, over a
// range of months: the API's GET /insights.

/** @import { InsightsAcross, RecipeSummary } from './api-types.js' */
/** @import { PageView } from './dom.js' */

import { get, getAll } from './api.js';
import { h, link, emptyState, field, panel } from './dom.js';
import { number, plural } from './format.js';
import { stat, ingredientSection, substitutionSection, stepSection, scaleSection, overTimeSections, deviationSection } from './insight-sections.js';
import { sourceText } from './page-recipe.js';

/** The filters a hash may carry (`#/insights?recipe=…&from=…&to=…`). */
const FILTERS = /** @type {const} */ (['recipe', 'from', 'to']);

/**
 * The filters of a hash's query.
 * @param {string} query
 * @returns {Record<(typeof FILTERS)[number], string | undefined>}
 */
function filtersOf(query) {
  const params = new URLSearchParams(query);
  return { recipe: params.get('recipe') || undefined, from: params.get('from') || undefined, to: params.get('to') || undefined };
}

/**
 * The form that narrows the page: one recipe or all, and a range of months.
 * Submitting it moves to the hash that names the filters.
 * @param {RecipeSummary[]} recipes
 * @param {Record<(typeof FILTERS)[number], string | undefined>} filters
 */
function filterForm(recipes, filters) {
  const recipe = h(
    'select',
    { id: 'across-recipe', name: 'recipe' },
    h('option', { value: '' }, 'All recipes'),
    recipes.map((r) => h('option', { value: r.recipeId, selected: r.recipeId === filters.recipe }, r.name)),
  );
  const from = h('input', { id: 'across-from', name: 'from', type: 'month', value: filters.from ?? '', 'aria-describedby': 'across-from-hint' });
  const to = h('input', { id: 'across-to', name: 'to', type: 'month', value: filters.to ?? '', 'aria-describedby': 'across-to-hint' });
  const form = h(
    'form',
    { class: 'filters', id: 'across-filters', role: 'search', 'aria-label': 'Which makes to count' },
    field('Recipe', recipe),
    field('From month', from, 'The first month the totals and the charts over time count (YYYY-MM).'),
    field('To month', to, 'The last month they count.'),
    h('p', {}, h('button', { type: 'submit', class: 'button' }, 'Show')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, control] of /** @type {const} */ ([['recipe', recipe], ['from', from], ['to', to]])) {
      const value = /** @type {HTMLInputElement | HTMLSelectElement} */ (control).value.trim();
      if (value) params.set(name, value);
    }
    const query = params.toString();
    location.hash = query ? `#/insights?${query}` : '#/insights';
  });
  return form;
}

/**
 * Each recipe version with makes, and the share of them that changed it.
 * @param {InsightsAcross['versions']} versions
 * @param {Map<string, string>} names
 */
function versionsSection(versions, names) {
  if (!versions.length) return null;
  return panel(
    'h-versions',
    'Versions and how often their makes changed them',
    h('p', { class: 'muted' }, 'After a make is adopted as the next version, fewer of its makes should change it.'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table table--compact' },
        h('caption', { class: 'sr-only' }, 'Makes per recipe version'),
        h('thead', {}, h('tr', {}, ['Recipe', 'Version', 'From', 'Makes', 'Mean rating', 'Changed it'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          versions.map((v) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, link(['recipes', v.recipeId], {}, names.get(v.recipeId) ?? v.name)),
              h('td', { class: 'num' }, String(v.version)),
              h('td', {}, sourceText(v.recipeId, v.source)),
              h('td', { class: 'num' }, String(v.makes)),
              h('td', { class: 'num' }, typeof v.averageRating === 'number' ? number(v.averageRating) : '–'),
              h('td', { class: 'num' }, typeof v.changedShare === 'number' ? `${Math.round(v.changedShare * 100)}%` : '–'),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * @param {string} [query] the hash's query, if any
 * @returns {Promise<PageView>}
 */
export async function acrossPage(query = '') {
  const filters = filtersOf(query);
  /** @type {Record<string, string>} */
  const params = {};
  for (const name of FILTERS) {
    const value = filters[name];
    if (value) params[name] = value;
  }
  const [recipes, insights] = await Promise.all([getAll('recipes'), get('insights', params)]);
  const names = new Map(recipes.map((r) => [r.recipeId, r.name]));
  const scope = insights.recipeId ? names.get(insights.recipeId) ?? insights.recipeId : 'every recipe';
  const range = insights.from || insights.to ? ` from ${insights.from ?? 'the start'} to ${insights.to ?? 'now'}` : '';
  const header = h(
    'header',
    { class: 'page-header' },
    h('p', { class: 'eyebrow' }, 'Insights'),
    h('h1', {}, 'What makes say'),
    h('p', { class: 'lede' }, `What cooks change across ${scope}${range}. Figures count makes, never who logged them.`),
  );
  const changed = insights.makes ? `${Math.round((insights.changedMakes / insights.makes) * 100)}%` : '–';
  const stats = h(
    'dl',
    { class: 'stats' },
    stat('Recipes', String(insights.recipes)),
    stat('Makes', String(insights.makes)),
    stat('Rated makes', String(insights.ratedMakes)),
    stat('Mean rating', typeof insights.averageMakeRating === 'number' ? `★ ${number(Math.round(insights.averageMakeRating * 100) / 100)}` : '–'),
    stat('Changed their recipe', changed),
  );
  const form = filterForm(recipes, filters);
  if (insights.makes === 0) {
    return {
      title: 'Insights',
      empty: true,
      node: h('div', {}, header, form, stats, emptyState(range ? `No makes${range}.` : 'No makes yet, so nothing to chart.', 'Insights appear once cooks log makes.')),
    };
  }
  const rankings = range ? h('p', { class: 'muted' }, `The totals and the charts over time count ${plural(insights.makes, 'make')}${range}; the rankings below count every make.`) : null;
  const sections = [
    ...overTimeSections({ months: insights.months, weeks: insights.weeks }),
    ingredientSection(insights.ingredients),
    substitutionSection(insights.substitutions),
    stepSection(insights.steps),
    scaleSection(insights.scaleFactors),
    deviationSection(insights.deviation),
    versionsSection(insights.versions, names),
  ];
  return { title: 'Insights', node: h('div', {}, header, form, stats, rankings, h('div', { class: 'charts' }, sections)) };
}
