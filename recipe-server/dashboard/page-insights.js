// @ts-check
// What cooks change in a recipe, across all its makes.

/** @import { PageView } from './dom.js' */

import { get, seg } from './api.js';
import { h, breadcrumbs, emptyState } from './dom.js';
import { number, signed } from './format.js';
import { stat, ingredientSection, substitutionSection, stepSection, scaleSection, overTimeSections, deviationSection } from './insight-sections.js';

/**
 * @param {string} recipeId
 * @returns {Promise<PageView>}
 */
export async function insightsPage(recipeId) {
  const [recipe, insights] = await Promise.all([get(`recipes/${seg(recipeId)}`), get(`recipes/${seg(recipeId)}/insights`)]);
  const header = h(
    'header',
    { class: 'page-header' },
    breadcrumbs([['Recipes', []], [recipe.name, ['recipes', recipeId]], 'Insights']),
    h('p', { class: 'eyebrow' }, 'Insights'),
    h('h1', {}, recipe.name),
    h('p', { class: 'lede' }, 'What cooks change when they make it, and how their makes rate against the recipe.'),
  );
  const avg = insights.averageMakeRating;
  const diff = typeof avg === 'number' && typeof insights.recipeRating === 'number' ? avg - insights.recipeRating : null;
  const stats = h(
    'dl',
    { class: 'stats' },
    stat('Makes', String(insights.makes)),
    stat('Rated makes', String(insights.ratedMakes)),
    stat('Changed the recipe', String(insights.changedMakes)),
    stat('Recipe rating', typeof insights.recipeRating === 'number' ? `★ ${number(insights.recipeRating)}` : '–'),
    stat('Makes’ average', typeof avg === 'number' ? `★ ${number(Math.round(avg * 100) / 100)}` : '–', diff !== null ? `${signed(Math.round(diff * 100) / 100)} vs recipe` : null),
  );
  if (insights.makes === 0) {
    return {
      title: `Insights · ${recipe.name}`,
      empty: true,
      node: h('div', {}, header, stats, emptyState('No makes yet, so nothing to chart.', 'Insights appear once someone logs a make of this recipe.')),
    };
  }

  const sections = [
    ...overTimeSections({ months: insights.months, weeks: insights.weeks, recipeRating: insights.recipeRating }),
    ingredientSection(insights.ingredients),
    substitutionSection(insights.substitutions),
    stepSection(insights.steps),
    scaleSection(insights.scaleFactors),
    deviationSection(insights.deviation),
  ];

  return { title: `Insights · ${recipe.name}`, node: h('div', {}, header, stats, h('div', { class: 'charts' }, sections)) };
}
