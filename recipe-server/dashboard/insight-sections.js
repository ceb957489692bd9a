// @ts-check
// The panels an insights page is made of, for one recipe's insights and for
// the makes of every recipe alike: each a chart with its numbers in a table.

/** @import { IngredientInsight, StepInsight, PeriodInsight, WeekInsight, ScaleInsight } from './api-types.js' */
/** @import { Child } from './dom.js' */

import { h, emptyState } from './dom.js';
import { date, number, plural, ratio } from './format.js';
import { barChart, dataTable, legend, ratingChart } from './charts.js';

/**
 * The ways an ingredient is changed, as insights count them, and their labels.
 * @type {{ kind: keyof IngredientInsight & ('quantity' | 'unit' | 'substituted' | 'renamed' | 'added' | 'removed'), label: string }[]}
 */
export const INGREDIENT_KINDS = [
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
export const STEP_KINDS = [
  { kind: 'edited', label: 'edited' },
  { kind: 'skipped', label: 'skipped' },
  { kind: 'moved', label: 'moved' },
];

/** How many weeks the makes-per-week chart draws (the table has them all). */
const CHART_WEEKS = 12;

/**
 * One figure of a page's summary.
 * @param {string} label
 * @param {string} value
 * @param {string | null} [note]
 */
export function stat(label, value, note) {
  return h('div', { class: 'stat' }, h('dt', {}, label), h('dd', {}, h('span', { class: 'stat__value' }, value), note && h('span', { class: 'stat__note' }, note)));
}

/**
 * A panel with a chart (`id` names its heading).
 * @param {string} id
 * @param {string} title
 * @param {string} intro
 * @param {Child} content
 */
export function chartSection(id, title, intro, content) {
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
 * " · in 3 recipes", for an entry counted across recipes.
 * @param {{ recipes?: number }} entry
 */
function inRecipes(entry) {
  return typeof entry.recipes === 'number' ? ` · in ${plural(entry.recipes, 'recipe')}` : '';
}

/**
 * The most-changed ingredients.
 * @param {(IngredientInsight & { recipes?: number })[]} ingredients
 */
export function ingredientSection(ingredients) {
  const across = ingredients.some((i) => typeof i.recipes === 'number');
  return chartSection(
    'h-ingredients',
    'Most-changed ingredients',
    'How many makes changed each ingredient, and how.',
    ingredients.length
      ? [
          legend(INGREDIENT_KINDS),
          barChart({
            title: 'Most-changed ingredients',
            desc: ingredients.slice(0, 5).map((i) => `${i.ingredient}: ${i.changes} (${breakdown(i, INGREDIENT_KINDS)})${inRecipes(i)}`).join('; '),
            rows: ingredients.map((i) => ({ label: `${i.ingredient} · ${breakdown(i, INGREDIENT_KINDS)}${inRecipes(i)}`, segments: INGREDIENT_KINDS.map((k) => ({ kind: k.kind, value: i[k.kind] ?? 0 })) })),
            kinds: INGREDIENT_KINDS,
          }),
          dataTable(
            'Changes per ingredient',
            ['Ingredient', 'Makes that changed it', ...(across ? ['Recipes'] : []), ...INGREDIENT_KINDS.map((k) => k.label)],
            ingredients.map((i) => [i.ingredient, i.changes, ...(across ? [i.recipes ?? 0] : []), ...INGREDIENT_KINDS.map((k) => i[k.kind] ?? 0)]),
          ),
        ]
      : emptyState('Every make used the ingredients as written.'),
  );
}

/**
 * Substitutions: "butter → olive oil in 23 makes of 9 recipes".
 * @param {{ from: string, to: string, count: number, recipes?: number }[]} substitutions
 */
export function substitutionSection(substitutions) {
  const across = substitutions.some((s) => typeof s.recipes === 'number');
  // Across recipes, each bar says in how many makes of how many recipes;
  // for one recipe, the bar's length and value say how many makes.
  const line = (/** @type {{ from: string, to: string, count: number, recipes?: number }} */ s) =>
    across ? `${s.from} → ${s.to} in ${plural(s.count, 'make')} of ${plural(s.recipes ?? 0, 'recipe')}` : `${s.from} → ${s.to}`;
  return chartSection(
    'h-substitutions',
    'Substitutions',
    'One ingredient used in place of another.',
    substitutions.length
      ? [
          barChart({
            title: 'Substitutions',
            desc: substitutions.map((s) => (across ? line(s) : `${line(s)}: ${s.count}`)).join('; '),
            rows: substitutions.map((s) => ({ label: line(s), segments: [{ kind: 'substituted', value: s.count }] })),
            kinds: [{ kind: 'substituted', label: 'makes' }],
          }),
          dataTable(
            'Substitutions',
            ['Swap', 'Makes', ...(across ? ['Recipes'] : [])],
            substitutions.map((s) => [`${s.from} → ${s.to}`, s.count, ...(across ? [s.recipes ?? 0] : [])]),
          ),
        ]
      : emptyState('No substitutions yet.'),
  );
}

/**
 * The steps cooks change; nothing when none were.
 * @param {(StepInsight & { recipes?: number })[]} steps
 * @returns {Child}
 */
export function stepSection(steps) {
  if (!steps.length) return null;
  return chartSection('h-steps', 'Steps cooks change', 'How often each step was edited, skipped or moved.', [
    legend(STEP_KINDS),
    barChart({
      title: 'Steps cooks change',
      desc: steps.slice(0, 5).map((s) => `${s.step}: ${breakdown(s, STEP_KINDS)}`).join('; '),
      rows: steps.map((s) => ({ label: `${s.step} · ${breakdown(s, STEP_KINDS)}${inRecipes(s)}`, segments: STEP_KINDS.map((k) => ({ kind: k.kind, value: s[k.kind] ?? 0 })) })),
      kinds: STEP_KINDS,
    }),
    dataTable('Changes per step', ['Step', ...STEP_KINDS.map((k) => k.label)], steps.map((s) => [s.step, ...STEP_KINDS.map((k) => s[k.kind] ?? 0)])),
  ]);
}

/**
 * The scale factors cooks used; nothing when none were.
 * @param {ScaleInsight[]} factors
 * @returns {Child}
 */
export function scaleSection(factors) {
  if (!factors.length) return null;
  return chartSection('h-scales', 'Batch sizes', 'Makes that scaled the whole recipe by one factor.', [
    barChart({
      title: 'Scale factors used',
      desc: factors.map((f) => `${ratio(f.factor)}: ${plural(f.count, 'make')}`).join('; '),
      rows: factors.map((f) => ({ label: `scaled ${ratio(f.factor)}`, segments: [{ kind: 'scaled', value: f.count }] })),
      kinds: [{ kind: 'scaled', label: 'makes' }],
    }),
    dataTable('Makes per scale factor', ['Factor', 'Makes'], factors.map((f) => [ratio(f.factor), f.count])),
  ]);
}

/**
 * "42%", a share as a whole percentage.
 * @param {number | null | undefined} share
 */
function percent(share) {
  return typeof share === 'number' ? `${Math.round(share * 100)}%` : '–';
}

/**
 * Over time: the rating by month (against the recipe's own, when there is
 * one), makes per week, and the share of makes that changed the recipe by
 * month.
 * @param {{ months: PeriodInsight[], weeks: WeekInsight[], recipeRating?: number | null }} series
 * @returns {Child[]}
 */
export function overTimeSections({ months, weeks, recipeRating }) {
  const rated = months.filter((m) => typeof m.averageRating === 'number');
  const recent = weeks.slice(-CHART_WEEKS);
  return [
    chartSection(
      'h-rating-by-month',
      'Rating by month',
      typeof recipeRating === 'number' ? 'The mean rating of each month’s makes; the dashed line is the recipe’s own rating.' : 'The mean rating of each month’s makes.',
      rated.length
        ? [
            ratingChart({
              title: 'Mean rating of makes, by month',
              desc: rated.map((m) => `${m.span}: ★ ${number(m.averageRating ?? 0)} from ${plural(m.ratedMakes, 'rated make')}`).join('; '),
              points: rated.map((m) => ({ label: m.span, at: `${m.span}-01`, rating: m.averageRating ?? 0 })),
              recipeRating,
            }),
            dataTable('Rating by month', ['Month', 'Makes', 'Rated makes', 'Mean rating'], months.map((m) => [m.span, m.makes, m.ratedMakes, typeof m.averageRating === 'number' ? number(m.averageRating) : '–'])),
          ]
        : emptyState('No rated makes yet.'),
    ),
    chartSection(
      'h-makes-by-week',
      'Makes per week',
      weeks.length > CHART_WEEKS ? `The last ${CHART_WEEKS} weeks with makes; the table has every week.` : 'Each week with makes, by its Monday.',
      weeks.length
        ? [
            barChart({
              title: 'Makes per week',
              desc: recent.map((w) => `week of ${date(w.week)}: ${plural(w.makes, 'make')}`).join('; '),
              rows: recent.map((w) => ({ label: `week of ${date(w.week)}`, segments: [{ kind: 'made', value: w.makes }] })),
              kinds: [{ kind: 'made', label: 'makes' }],
            }),
            dataTable('Makes per week', ['Week of', 'Makes'], weeks.map((w) => [date(w.week), w.makes])),
          ]
        : emptyState('No dated makes yet.'),
    ),
    chartSection(
      'h-changed-by-month',
      'Makes that changed the recipe, by month',
      'The share of each month’s makes that changed anything but the rating: falling after a make is adopted means the recipe now matches how it is cooked.',
      months.length
        ? [
            barChart({
              title: 'Share of makes that changed the recipe, by month',
              desc: months.map((m) => `${m.span}: ${percent(m.changedShare)} of ${plural(m.makes, 'make')}`).join('; '),
              rows: months.map((m) => ({ label: `${m.span} · ${percent(m.changedShare)} of ${plural(m.makes, 'make')}`, segments: [{ kind: 'changed', value: Math.round((m.changedShare ?? 0) * 100) }] })),
              kinds: [{ kind: 'changed', label: '% changed' }],
            }),
            dataTable('Makes that changed the recipe, by month', ['Month', 'Makes', 'Changed the recipe'], months.map((m) => [m.span, m.makes, percent(m.changedShare)])),
          ]
        : emptyState('No dated makes yet.'),
    ),
  ];
}

/**
 * Ratings against how far makes strayed from their recipe.
 * @param {PeriodInsight[]} deviation
 * @returns {Child}
 */
export function deviationSection(deviation) {
  if (!deviation.length) return null;
  const changes = (/** @type {string} */ span) => (span === '1' ? '1 change' : `${span} changes`);
  return chartSection('h-deviation', 'Rating against how much a make changed', 'Makes grouped by how many ingredients and steps they changed, with their mean rating.', [
    barChart({
      title: 'Makes by how much they changed, with their mean rating',
      desc: deviation.map((d) => `${changes(d.span)}: ${plural(d.makes, 'make')}, ★ ${typeof d.averageRating === 'number' ? number(d.averageRating) : 'unrated'}`).join('; '),
      rows: deviation.map((d) => ({ label: `${changes(d.span)} · ★ ${typeof d.averageRating === 'number' ? number(d.averageRating) : '–'}`, segments: [{ kind: 'made', value: d.makes }] })),
      kinds: [{ kind: 'made', label: 'makes' }],
    }),
    dataTable('Rating against how much a make changed', ['Changes', 'Makes', 'Rated makes', 'Mean rating'], deviation.map((d) => [changes(d.span), d.makes, d.ratedMakes, typeof d.averageRating === 'number' ? number(d.averageRating) : '–'])),
  ]);
}
