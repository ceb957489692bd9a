// @ts-check
// What cooks change in a recipe, across all its makes.

/** @import { IngredientInsight, StepInsight } from './api-types.js' */
/** @import { Child, PageView } from './dom.js' */

import { get, seg } from './api.js';
import { h, breadcrumbs, emptyState } from './dom.js';
import { date, number, plural, ratio, signed } from './format.js';
import { barChart, dataTable, legend, ratingChart } from './charts.js';

/**
 * The ways an ingredient is changed, as insights count them, and their labels.
 * @type {{ kind: keyof IngredientInsight & ('quantity' | 'unit' | 'substituted' | 'renamed' | 'added' | 'removed'), label: string }[]}
 */
const INGREDIENT_KINDS = [
  { kind: 'quantity', label: 'amount' },
  { kind: 'unit', label: 'unit' },
  { kind: 'substituted', label: 'swapped' },
  { kind: 'renamed', label: 'renamed' },
  { kind: 'added', label: 'added' },
  { kind: 'removed', label: 'left out' },
];
/**
 * The ways a step is changed, as insights count them, and their labels.
 * @type {{ kind: keyof StepInsight & ('edited' | 'skipped' | 'moved'), label: string }[]}
 */
const STEP_KINDS = [
  { kind: 'edited', label: 'edited' },
  { kind: 'skipped', label: 'skipped' },
  { kind: 'moved', label: 'moved' },
];

/**
 * @param {string} label
 * @param {string} value
 * @param {string | null} [note]
 */
function stat(label, value, note) {
  return h('div', { class: 'stat' }, h('dt', {}, label), h('dd', {}, h('span', { class: 'stat__value' }, value), note && h('span', { class: 'stat__note' }, note)));
}

/**
 * A panel with a chart (`id` names its heading).
 * @param {string} id
 * @param {string} title
 * @param {string} intro
 * @param {Child} content
 */
function chartSection(id, title, intro, content) {
  return h('section', { class: 'panel chart-panel', 'aria-labelledby': id }, h('h2', { id }, title), intro && h('p', { class: 'muted' }, intro), content);
}

/**
 * "2 amount, 1 swapped": the kinds an entry counts, in `kinds`' order.
 * @template {string} K
 * @param {Record<K, number>} entry
 * @param {{ kind: K, label: string }[]} kinds
 */
function breakdown(entry, kinds) {
  return kinds
    .filter((k) => entry[k.kind] > 0)
    .map((k) => `${entry[k.kind]} ${k.label}`)
    .join(', ');
}

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

  const sections = [];
  const ratings = insights.ratings ?? [];
  sections.push(
    chartSection(
      'h-ratings',
      'Ratings over time',
      'Each point is a make; the dashed line is the recipe’s own rating.',
      ratings.length
        ? [
            ratingChart({
              title: 'Makes’ ratings over time',
              desc: `${plural(ratings.length, 'rated make')} from ${date(ratings[0]?.at)}; recipe rated ${number(insights.recipeRating ?? 0)}.`,
              points: ratings,
              recipeRating: insights.recipeRating,
            }),
            dataTable('Ratings of makes over time', ['Make', 'Date', 'Rating'], ratings.map((r) => [r.makeId, date(r.at), r.rating])),
          ]
        : emptyState('No rated makes yet.'),
    ),
  );

  const ingredients = insights.ingredients ?? [];
  sections.push(
    chartSection(
      'h-ingredients',
      'Most-changed ingredients',
      'How many makes changed each ingredient, and how.',
      ingredients.length
        ? [
            legend(INGREDIENT_KINDS),
            barChart({
              title: 'Most-changed ingredients',
              desc: ingredients.slice(0, 5).map((i) => `${i.ingredient}: ${i.changes} (${breakdown(i, INGREDIENT_KINDS)})`).join('; '),
              rows: ingredients.map((i) => ({ label: `${i.ingredient} · ${breakdown(i, INGREDIENT_KINDS)}`, segments: INGREDIENT_KINDS.map((k) => ({ kind: k.kind, value: i[k.kind] ?? 0 })) })),
              kinds: INGREDIENT_KINDS,
            }),
            dataTable('Changes per ingredient', ['Ingredient', 'Makes that changed it', ...INGREDIENT_KINDS.map((k) => k.label)], ingredients.map((i) => [i.ingredient, i.changes, ...INGREDIENT_KINDS.map((k) => i[k.kind] ?? 0)])),
          ]
        : emptyState('Every make used the ingredients as written.'),
    ),
  );

  const substitutions = insights.substitutions ?? [];
  sections.push(
    chartSection(
      'h-substitutions',
      'Substitutions',
      'One ingredient used in place of another.',
      substitutions.length
        ? [
            barChart({
              title: 'Substitutions',
              desc: substitutions.map((s) => `${s.from} → ${s.to}: ${s.count}`).join('; '),
              rows: substitutions.map((s) => ({ label: `${s.from} → ${s.to}`, segments: [{ kind: 'substituted', value: s.count }] })),
              kinds: [{ kind: 'substituted', label: 'makes' }],
            }),
            dataTable('Substitutions', ['Swap', 'Makes'], substitutions.map((s) => [`${s.from} → ${s.to}`, s.count])),
          ]
        : emptyState('No substitutions yet.'),
    ),
  );

  const steps = insights.steps ?? [];
  if (steps.length) {
    sections.push(
      chartSection('h-steps', 'Steps cooks change', 'How often each step was edited, skipped or moved.', [
        legend(STEP_KINDS),
        barChart({
          title: 'Steps cooks change',
          desc: steps.slice(0, 5).map((s) => `${s.step}: ${breakdown(s, STEP_KINDS)}`).join('; '),
          rows: steps.map((s) => ({ label: `${s.step} · ${breakdown(s, STEP_KINDS)}`, segments: STEP_KINDS.map((k) => ({ kind: k.kind, value: s[k.kind] ?? 0 })) })),
          kinds: STEP_KINDS,
        }),
        dataTable('Changes per step', ['Step', ...STEP_KINDS.map((k) => k.label)], steps.map((s) => [s.step, ...STEP_KINDS.map((k) => s[k.kind] ?? 0)])),
      ]),
    );
  }

  const factors = insights.scaleFactors ?? [];
  if (factors.length) {
    sections.push(
      chartSection('h-scales', 'Batch sizes', 'Makes that scaled the whole recipe by one factor.', [
        barChart({
          title: 'Scale factors used',
          desc: factors.map((f) => `${ratio(f.factor)}: ${plural(f.count, 'make')}`).join('; '),
          rows: factors.map((f) => ({ label: `scaled ${ratio(f.factor)}`, segments: [{ kind: 'scaled', value: f.count }] })),
          kinds: [{ kind: 'scaled', label: 'makes' }],
        }),
      ]),
    );
  }

  return { title: `Insights · ${recipe.name}`, node: h('div', {}, header, stats, h('div', { class: 'charts' }, sections)) };
}
