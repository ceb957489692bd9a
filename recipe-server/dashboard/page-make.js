// @ts-check
// One make against the recipe version it was made from: ingredients and
// steps with every change marked in words and symbols as well as colour.

/** @import { CanonicalRecipe, Change, ChangeOf, InlineSpan, MakeDiff, ScaleEntry } from './api-types.js' */
/** @import { Child, PageView } from './dom.js' */
/** @import { IngredientText } from './format.js' */

import { get, seg } from './api.js';
import { h, breadcrumbs, href, srOnly } from './dom.js';
import { amount, date, diffIngredient, documentIngredient, fullAmount, measure, number, plural, ratio, signed, summaryPhrases } from './format.js';
import { stars } from './page-recipe.js';
import { adoptedDocument, saveShowing, saveVersion } from './evolve.js';

/** The changes that belong to an ingredient of the make (all but removals). */
const INGREDIENT_OPS = new Set(/** @type {const} */ ([
  'ingredient-added', 'ingredient-renamed', 'ingredient-substituted', 'ingredient-moved',
  'quantity-changed', 'unit-changed', 'ingredient-detail-changed',
]));
/** The changes that belong to a step of the make (all but skipped steps). */
const STEP_OPS = new Set(/** @type {const} */ (['step-inserted', 'step-moved', 'step-edited', 'step-detail-changed']));

/** @typedef {typeof INGREDIENT_OPS extends Set<infer Op> ? Op : never} IngredientOp */

/**
 * A row's tone (its CSS modifier): how much it changed.
 * @typedef {'same' | 'scaled' | 'equivalent' | 'moved' | 'changed' | 'added' | 'removed'} Tone
 */

/**
 * A change's label: a symbol and a word, so colour is never the only cue.
 * @satisfies {Record<string, [symbol: string, word: string]>}
 */
const TAGS = {
  added: ['+', 'added'],
  removed: ['−', 'removed'],
  swapped: ['⇄', 'swapped'],
  renamed: ['✎', 'renamed'],
  amount: ['~', 'amount'],
  unit: ['~', 'unit'],
  equivalent: ['=', 'same amount'],
  moved: ['↕', 'moved'],
  note: ['~', 'detail'],
  changed: ['~', 'changed'],
  scaled: ['×', 'scaled'],
  inserted: ['+', 'added step'],
  skipped: ['−', 'skipped'],
  edited: ['✎', 'edited'],
};

/** @typedef {keyof typeof TAGS} TagName */

/**
 * @param {TagName} name
 * @param {Tone} tone
 */
function tag(name, tone) {
  const [symbol, word] = TAGS[name];
  return h('span', { class: ['tag', `tag--${tone}`] }, h('span', { class: 'tag__symbol', 'aria-hidden': 'true' }, symbol), word);
}

/**
 * "before → after".
 * @param {Child} before
 * @param {Child} after
 * @param {string} [cls] The class that says what changed.
 */
function arrow(before, after, cls = '') {
  return h('span', { class: ['change', cls] }, h('span', { class: 'change__before' }, before), h('span', { class: 'change__arrow' }, ' → '), h('span', { class: 'change__after' }, after));
}

/**
 * A field's name as a label: "fields.cookTime" reads "Cook time". A make may
 * have a field named "" (JSON allows it, and the diff reports it as
 * "fields."): that one reads "Unnamed field".
 * @param {string} field
 */
function fieldLabel(field) {
  const name = field.replace(/^fields\./, '');
  if (name === 'recipeYield') return 'Yield';
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  if (!words) return 'Unnamed field';
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Any value of a field, as text ("(none)" when there is none).
 * @param {unknown} value
 */
function show(value) {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Whether `change` is one of `ops`.
 * @template {Change['op']} Op
 * @param {Change} change
 * @param {ReadonlySet<Op>} ops
 * @returns {change is ChangeOf<Op>}
 */
function isOneOf(change, ops) {
  return ops.has(/** @type {Op} */ (change.op));
}

/**
 * The changes of `ops`, by their position in the make.
 * @template {Extract<Change, { makeIndex: number }>['op']} Op
 * @param {Change[]} changes
 * @param {ReadonlySet<Op>} ops
 * @returns {Map<number, ChangeOf<Op>[]>}
 */
function byIndex(changes, ops) {
  /** @type {Map<number, ChangeOf<Op>[]>} */
  const map = new Map();
  for (const change of changes) {
    if (!isOneOf(change, ops)) continue;
    // Op is one of the changes with a makeIndex (the template says so).
    const { makeIndex } = /** @type {Extract<Change, { makeIndex: number }>} */ (change);
    const list = map.get(makeIndex) ?? [];
    list.push(change);
    map.set(makeIndex, list);
  }
  return map;
}

/**
 * Where a removed item (at recipeIndex) sits among the make's items:
 * its recipe position, less the removals before it, plus the additions.
 * @template {{ recipeIndex: number }} R
 * @param {R[]} removed
 * @param {{ makeIndex: number }[]} added
 * @returns {{ change: R, before: number }[]}
 */
function placeRemoved(removed, added) {
  const removedIdx = removed.map((c) => c.recipeIndex).sort((a, b) => a - b);
  const addedIdx = added.map((c) => c.makeIndex).sort((a, b) => a - b);
  return removed.map((c) => {
    let pos = c.recipeIndex - removedIdx.filter((r) => r < c.recipeIndex).length;
    for (const a of addedIdx) if (a <= pos) pos += 1;
    return { change: c, before: pos };
  });
}

/**
 * How far an amount is off the batch's scale.
 * @param {number} deviation The amount's ratio over the scale factor.
 * @param {number | undefined} amountRatio The amount's ratio to the recipe's.
 * @param {number | undefined} factor The scale factor.
 */
function deviationText(deviation, amountRatio, factor) {
  const pct = Math.round((deviation - 1) * 100);
  const how = pct < 0 ? `${-pct}% less than` : `${pct}% more than`;
  return `off scale: ${ratio(amountRatio)} where the batch is ${ratio(factor)} (${how} the scaled amount)`;
}

/**
 * Whether a change only renumbers an ingredient or a step: an id is the
 * document's bookkeeping, not something the cook did, so it is shown only
 * under "Details".
 * @param {Change} change
 */
function isIdOnly(change) {
  return (change.op === 'ingredient-detail-changed' && change.field === 'ingredientId') || (change.op === 'step-detail-changed' && change.field === 'stepId');
}

/**
 * A folded "Details" section holding what a cook rarely needs (ids).
 * @param {Node[]} items
 */
function folded(items) {
  return items.length > 0 && h('details', { class: 'row__ids' }, h('summary', {}, 'Details'), items);
}

/**
 * Whether the make's line restates its amount in a restatement left behind
 * when the amount changed (docs/diff.md).
 * @param {ChangeOf<IngredientOp>[]} changes
 * @param {ScaleEntry | undefined} scaleEntry
 */
function staleRestatement(changes, scaleEntry) {
  return changes.some((c) => c.op === 'quantity-changed' && c.restatementStale) || Boolean(scaleEntry?.restatementStale);
}

/**
 * An ingredient's tags, details and tone, from its changes and its entry in
 * a scaled make. `restated` is the make's restatement of the amount, as
 * text, for saying that it is out of date.
 * @param {ChangeOf<IngredientOp>[]} changes
 * @param {ScaleEntry | undefined} scaleEntry
 * @param {number | undefined} factor
 * @param {string} [restated]
 * @returns {{ tags: Node[], details: Node[], tone: Tone }}
 */
function ingredientDetails(changes, scaleEntry, factor, restated = '') {
  /** @type {Node[]} */
  const ids = [];
  /** @type {Node[]} */
  const details = [];
  /** @type {Node[]} */
  const tags = [];
  const toneRank = { same: 0, scaled: 1, equivalent: 2, moved: 3, changed: 4, added: 5 };
  /** @type {keyof typeof toneRank} */
  let tone = 'same';
  /** @param {keyof typeof toneRank} t */
  const raise = (t) => {
    if (toneRank[t] > toneRank[tone]) tone = t;
  };
  for (const c of changes) {
    switch (c.op) {
      case 'ingredient-added':
        tags.push(tag('added', 'added'));
        raise('added');
        details.push(h('p', {}, 'Not in the recipe.'));
        break;
      case 'ingredient-renamed':
        tags.push(tag('renamed', 'changed'));
        raise('changed');
        details.push(h('p', {}, arrow(c.before, c.after)));
        break;
      case 'ingredient-substituted': {
        tags.push(tag('swapped', 'changed'));
        raise('changed');
        const b = diffIngredient(c.before);
        const a = diffIngredient(c.after);
        details.push(h('p', {}, 'Swapped: ', arrow([b.amount, b.name].filter(Boolean).join(' '), [a.amount, a.name].filter(Boolean).join(' '))));
        break;
      }
      case 'quantity-changed': {
        tags.push(tag('amount', 'changed'));
        raise('changed');
        /**
         * @param {ChangeOf<'quantity-changed'>['before']} q
         * @param {ChangeOf<'quantity-changed'>['plusBefore']} plus
         */
        const whole = (q, plus) => [amount(q, c.unit) || 'none', plus && `+ ${measure(plus)}`].filter(Boolean).join(' ');
        details.push(
          h(
            'p',
            {},
            'Amount: ',
            arrow(c.before ? whole(c.before, c.plusBefore) : 'none', c.after ? whole(c.after, c.plusAfter) : 'none'),
            typeof c.ratio === 'number' && h('span', { class: 'ratio' }, ` ${ratio(c.ratio)}`, srOnly(c.ratio < 1 ? ' (less)' : ' (more)')),
          ),
        );
        if (typeof c.deviation === 'number') {
          details.push(h('p', { class: 'off-scale' }, h('span', { 'aria-hidden': 'true' }, '! '), deviationText(c.deviation, c.ratio, factor)));
        }
        break;
      }
      case 'unit-changed':
        if (c.equivalent) {
          tags.push(tag('equivalent', 'equivalent'));
          raise('equivalent');
        } else {
          tags.push(tag('unit', 'changed'));
          raise('changed');
        }
        details.push(
          h(
            'p',
            {},
            'Unit: ',
            arrow(fullAmount(c.before.quantity, c.before.unit, c.before) || 'none', fullAmount(c.after.quantity, c.after.unit, c.after) || 'none'),
            c.equivalent
              ? h('span', { class: 'equivalent' }, ' — equivalent: the same amount in other units')
              : typeof c.ratio === 'number' && h('span', { class: 'ratio' }, ` ${ratio(c.ratio)} after conversion`),
          ),
        );
        break;
      case 'ingredient-moved':
        tags.push(tag('moved', 'moved'));
        raise('moved');
        details.push(h('p', {}, `Listed ${ordinal(c.makeIndex + 1)} here, ${ordinal(c.recipeIndex + 1)} in the recipe.`));
        break;
      case 'ingredient-detail-changed':
        if (c.field === 'ingredientId') {
          ids.push(h('p', {}, `${fieldLabel(c.field)}: `, arrow(show(c.before), show(c.after))));
          break;
        }
        tags.push(tag('note', 'changed'));
        raise('changed');
        details.push(h('p', {}, `${fieldLabel(c.field)}: `, arrow(show(c.before), show(c.after))));
        break;
      default:
        break;
    }
  }
  if (scaleEntry && !changes.some((c) => c.op === 'quantity-changed')) {
    tags.push(tag('scaled', 'scaled'));
    raise('scaled');
    details.push(h('p', { class: 'on-scale' }, h('span', { 'aria-hidden': 'true' }, '✓ '), `${ratio(scaleEntry.ratio)}, on scale`));
  }
  if (staleRestatement(changes, scaleEntry)) {
    details.push(h('p', { class: 'muted restated-stale' }, `The line also says ${restated || 'its amount again'}, which was not changed with the amount: out of date, so not shown.`));
  }
  const more = folded(ids);
  if (more) details.push(more);
  return { tags, details, tone };
}

/**
 * 1st, 2nd, 3rd, 11th.
 * @param {number} n
 */
function ordinal(n) {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] || s[v] || s[0]}`;
}

/**
 * An ingredient's row. `change` is its main change's op (data-change).
 * @param {{ text: IngredientText, tags: Node[], details: Node[], tone: Tone, change?: string }} row
 */
function ingredientRow({ text, tags, details, tone, change }) {
  return h(
    'li',
    { class: ['row', `row--${tone}`], dataset: { change: change ?? (tone === 'same' ? 'none' : tone), ingredient: text.name } },
    h(
      'div',
      { class: 'row__body' },
      h(
        'p',
        { class: 'row__main' },
        text.amount && h('span', { class: 'amount' }, text.amount),
        text.amount && ' ',
        h('span', { class: 'name' }, text.name),
        text.note && h('span', { class: 'note' }, `, ${text.note}`),
      ),
      details.length > 0 && h('div', { class: 'row__details' }, details),
    ),
    h('div', { class: 'row__tags' }, tags.length ? tags : srOnly('unchanged')),
  );
}

/**
 * The make's ingredients, each with its changes, and the ones it left out
 * where they were.
 * @param {{ document: CanonicalRecipe }} make
 * @param {Change[]} changes
 * @param {ChangeOf<'scaled'> | undefined} scaled
 */
function ingredientList(make, changes, scaled) {
  const ingredients = make.document.ingredients ?? [];
  const byMake = byIndex(changes, INGREDIENT_OPS);
  const scaleByName = new Map((scaled?.ingredients ?? []).map((e) => [e.ingredient, e]));
  const removed = placeRemoved(
    changes.filter((c) => c.op === 'ingredient-removed'),
    changes.filter((c) => c.op === 'ingredient-added'),
  );
  /** @type {HTMLLIElement[]} */
  const rows = [];
  /** @param {{ change: ChangeOf<'ingredient-removed'> }} removed */
  const removedRow = ({ change }) =>
    ingredientRow({
      text: diffIngredient(change.ingredient),
      tags: [tag('removed', 'removed')],
      details: [h('p', {}, 'Left out: the recipe has it, this make did not use it.')],
      tone: 'removed',
      change: 'ingredient-removed',
    });
  ingredients.forEach((ingredient, i) => {
    for (const r of removed) if (r.before === i) rows.push(removedRow(r));
    const own = byMake.get(i) ?? [];
    const entry = scaleByName.get(ingredient.ingredientName);
    // A restatement left behind when the amount changed is out of date: the
    // amount is shown without it, and the details say so.
    const stale = staleRestatement(own, entry);
    const text = documentIngredient(stale ? { ...ingredient, alternative: undefined } : ingredient);
    const { tags, details, tone } = ingredientDetails(own, entry, scaled?.factor, stale ? measure(ingredient.alternative) : '');
    const shown = own.filter((c) => !isIdOnly(c));
    const main = shown.find((c) => c.op !== 'ingredient-detail-changed') ?? shown[0];
    rows.push(ingredientRow({ text, tags, details, tone, change: main?.op ?? (tone === 'scaled' ? 'scaled' : 'none') }));
  });
  for (const r of removed) if (r.before >= ingredients.length) rows.push(removedRow(r));
  return h('ul', { class: 'rows', 'aria-labelledby': 'h-make-ingredients' }, rows);
}

/**
 * A step's text with the make's insertions and the recipe's deletions marked
 * (spaces at the edges of a span stay outside the mark, so it hugs the words).
 * @param {InlineSpan[]} spans
 * @returns {Child[]}
 */
function inline(spans) {
  return spans.map((span) => {
    if (span.kind === 'equal') return span.text;
    // The pattern matches any text.
    const [, lead, words, trail] = /** @type {RegExpExecArray} */ (/^(\s*)([\s\S]*?)(\s*)$/.exec(span.text));
    const mark = span.kind === 'insert' ? h('ins', {}, words) : h('del', {}, words);
    const said = span.kind === 'insert' ? 'added' : 'removed';
    return [lead, srOnly(`[${said}: `), mark, srOnly(']'), trail];
  });
}

/**
 * A step's row, which remembers its section (for withSections).
 * @param {{ number: number | null, label?: string, text: Child, tags: Node[], details: Node[], tone: Tone, change: string, section: string | undefined }} step
 * @returns {SectionedRow}
 */
function stepRow({ number: n, label, text, tags, details, tone, change, section }) {
  const row = h(
    'li',
    { class: ['row', 'row--step', `row--${tone}`], dataset: { change } },
    h('div', { class: 'row__number', 'aria-hidden': label ? 'true' : undefined }, n ?? '–'),
    h(
      'div',
      { class: 'row__body' },
      tags.length > 0 && h('div', { class: 'row__tags' }, tags),
      label && srOnly(label),
      h('p', { class: 'row__text' }, text),
      details.length > 0 && h('div', { class: 'row__details' }, details),
    ),
  );
  return Object.assign(row, { section: section ?? null });
}

/**
 * A step's row and the section it is in.
 * @typedef {HTMLLIElement & { section: string | null }} SectionedRow
 */

/**
 * Steps under their section headings (schema.org HowToSection), as the recipe groups them.
 * @param {SectionedRow[]} rows
 */
function withSections(rows) {
  /** @type {HTMLLIElement[]} */
  const out = [];
  let current = null;
  for (const row of rows) {
    if (row.section && row.section !== current) {
      out.push(h('li', { class: 'rows__section' }, h('h3', {}, row.section)));
    }
    current = row.section;
    out.push(row);
  }
  return out;
}

/**
 * The make's steps, each with its changes, and the ones it skipped where
 * they were.
 * @param {{ document: CanonicalRecipe }} make
 * @param {Change[]} changes
 */
function stepList(make, changes) {
  const steps = make.document.steps ?? [];
  const byMake = byIndex(changes, STEP_OPS);
  const removed = placeRemoved(
    changes.filter((c) => c.op === 'step-deleted'),
    changes.filter((c) => c.op === 'step-inserted'),
  );
  /** @type {SectionedRow[]} */
  const rows = [];
  /** @param {{ change: ChangeOf<'step-deleted'> }} removed */
  const removedRow = ({ change }) =>
    stepRow({
      number: null,
      label: `Skipped step ${change.recipeIndex + 1} of the recipe`,
      text: change.step.text,
      tags: [tag('skipped', 'removed')],
      details: [h('p', {}, `Step ${change.recipeIndex + 1} of the recipe; this make skipped it.`)],
      tone: 'removed',
      change: 'step-deleted',
      section: change.step.section,
    });
  steps.forEach((step, i) => {
    for (const r of removed) if (r.before === i) rows.push(removedRow(r));
    const own = byMake.get(i) ?? [];
    /** @type {Node[]} */
    const tags = [];
    /** @type {Node[]} */
    const details = [];
    /** @type {Node[]} */
    const ids = [];
    /** @type {Tone} */
    let tone = 'same';
    /** @type {Child} */
    let text = step.stepText;
    for (const c of own) {
      if (c.op === 'step-detail-changed' && c.field === 'stepId') {
        ids.push(h('p', {}, `${fieldLabel(c.field)}: `, arrow(show(c.before), show(c.after))));
        continue;
      }
      if (c.op === 'step-inserted') {
        tags.push(tag('inserted', 'added'));
        tone = 'added';
        details.push(h('p', {}, 'Not in the recipe.'));
      } else if (c.op === 'step-edited') {
        tags.push(tag('edited', 'changed'));
        if (tone === 'same' || tone === 'moved') tone = 'changed';
        text = inline(c.inline ?? []);
      } else if (c.op === 'step-moved') {
        tags.push(tag('moved', 'moved'));
        if (tone === 'same') tone = 'moved';
        details.push(h('p', { class: 'moved' }, `Moved: step ${c.recipeIndex + 1} in the recipe, done as step ${c.makeIndex + 1} here.`));
      } else if (c.op === 'step-detail-changed') {
        tags.push(tag('note', 'changed'));
        if (tone === 'same') tone = 'changed';
        details.push(h('p', {}, `${fieldLabel(c.field)}: `, arrow(show(c.before), show(c.after))));
      }
    }
    const more = folded(ids);
    if (more) details.push(more);
    const shown = own.filter((c) => !isIdOnly(c));
    const main = shown.find((c) => c.op !== 'step-detail-changed') ?? shown[0];
    rows.push(stepRow({ number: i + 1, text, tags, details, tone, change: main?.op ?? 'none', section: step.section }));
  });
  for (const r of removed) if (r.before >= steps.length) rows.push(removedRow(r));
  return h('ol', { class: 'rows rows--steps', 'aria-labelledby': 'h-make-steps' }, withSections(rows));
}

/**
 * The scale factor, and each ingredient against it.
 * @param {ChangeOf<'scaled'>} scaled
 */
function scaledPanel(scaled) {
  return h(
    'section',
    { class: 'panel panel--scaled', 'aria-labelledby': 'h-scaled' },
    h('h2', { id: 'h-scaled' }, `Scaled ${ratio(scaled.factor)}`),
    h('p', {}, `${scaled.consistent} of ${scaled.compared} ingredients follow the ${ratio(scaled.factor)} factor. Each ingredient against it:`),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table table--compact' },
        h('caption', { class: 'sr-only' }, 'Each ingredient’s ratio to the recipe and its deviation from the scale factor'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Ingredient'), h('th', { scope: 'col' }, 'Ratio'), h('th', { scope: 'col' }, `Against ${ratio(scaled.factor)}`))),
        h(
          'tbody',
          {},
          scaled.ingredients.map((e) => {
            const on = Math.abs(e.deviation - 1) < 0.03;
            return h(
              'tr',
              { class: on ? '' : 'off-scale-row', dataset: { ingredient: e.ingredient } },
              h('th', { scope: 'row' }, e.ingredient),
              h('td', { class: 'num' }, ratio(e.ratio)),
              h('td', {}, on ? h('span', { class: 'on-scale' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'on scale') : h('span', { class: 'off-scale' }, h('span', { 'aria-hidden': 'true' }, '! '), `off scale (${ratio(e.deviation)})`)),
            );
          }),
        ),
      ),
    ),
  );
}

/**
 * The changes to the recipe as a whole: rating, name, other fields.
 * @param {Change[]} changes
 */
function recipeLevel(changes) {
  /** @type {HTMLLIElement[]} */
  const items = [];
  for (const c of changes) {
    if (c.op === 'rating-changed') {
      items.push(h('li', {}, h('span', { class: 'glance__label' }, 'Rating'), arrow(`★ ${number(c.before ?? 0)}`, `★ ${number(c.after ?? 0)}`), typeof c.delta === 'number' && h('span', { class: ['delta', c.delta > 0 ? 'delta--up' : 'delta--down'] }, ` ${signed(c.delta)}`)));
    } else if (c.op === 'name-changed') {
      items.push(h('li', {}, h('span', { class: 'glance__label' }, 'Name'), arrow(c.before, c.after)));
    } else if (c.op === 'field-changed') {
      items.push(h('li', {}, h('span', { class: 'glance__label' }, fieldLabel(c.field)), arrow(show(c.before), show(c.after))));
    }
  }
  return items;
}

/** @type {[TagName, Tone][]} */
const LEGEND = [['added', 'added'], ['removed', 'removed'], ['changed', 'changed'], ['equivalent', 'equivalent'], ['moved', 'moved'], ['scaled', 'scaled']];

/**
 * @param {string} recipeId
 * @param {string} makeId
 * @returns {Promise<PageView>}
 */
export async function makePage(recipeId, makeId) {
  const make = await get(`recipes/${seg(recipeId)}/makes/${seg(makeId)}`);
  const recipe = await get(`recipes/${seg(recipeId)}`, { version: make.version }).catch(() => null);
  const recipeName = recipe?.name ?? make.document.recipeName ?? recipeId;
  const changes = make.diff?.changes ?? [];
  const summary = make.diff?.summary ?? { total: changes.length };
  const scaled = changes.find((c) => c.op === 'scaled');
  const when = make.madeAt || make.createdAt;
  const recipeRating = recipe?.document?.rating;
  const phrases = summaryPhrases(summary);
  // The recipe as it was when this make was cooked is `recipe`; when it
  // has moved on since, what changed from that version to the current one.
  const current = recipe && !recipe.withdrawn && recipe.currentVersion > make.version ? recipe.currentVersion : null;
  const since = current
    ? await get('compare', { from: `${recipeId}@${make.version}`, to: `${recipeId}@${current}` }).catch(() => null)
    : null;

  const header = h(
    'header',
    { class: 'page-header' },
    breadcrumbs([['Recipes', []], [recipeName, ['recipes', recipeId]], `Make ${makeId}`]),
    h('p', { class: 'eyebrow' }, 'Make · ', h('time', { datetime: when }, date(when))),
    h('h1', {}, recipeName),
    h('p', { class: 'lede' }, make.makeId),
    h(
      'p',
      { class: 'page-header__meta' },
      stars(make.rating),
      typeof recipeRating === 'number' && h('span', { class: 'muted' }, `recipe ★ ${number(recipeRating)}`),
      scaled && h('span', { class: 'badge badge--scaled', id: 'scaled-badge' }, `scaled ${ratio(scaled.factor)}`),
      h('span', {}, plural(summary.total ?? changes.length, 'change')),
      h('span', { class: 'muted' }, `made from version ${make.version}`),
      make.loggedBy && h('span', { class: 'muted', id: 'logged-by' }, `logged by ${make.loggedBy}`),
    ),
    recipe && !recipe.withdrawn && adoptControl(recipeId, makeId, make.document, recipe.currentVersion),
  );

  const glanceItems = recipeLevel(changes);
  const glance = h(
    'section',
    { class: 'panel panel--glance', 'aria-labelledby': 'h-glance' },
    h('h2', { id: 'h-glance' }, 'At a glance'),
    phrases.length
      ? h('ul', { class: 'chips' }, phrases.map((p) => h('li', { class: 'chip' }, p.text)))
      : h('p', {}, 'Made exactly as the recipe says.'),
    glanceItems.length > 0 && h('ul', { class: 'glance' }, glanceItems),
    make.notes && h('figure', { class: 'notes' }, h('blockquote', {}, h('p', {}, make.notes)), h('figcaption', {}, 'Cook’s notes')),
  );

  const sincePhrases = since ? summaryPhrases(since.diff.summary) : [];
  const movedOn =
    since &&
    h(
      'section',
      { class: 'panel', id: 'moved-on', 'aria-labelledby': 'h-moved-on' },
      h('h2', { id: 'h-moved-on' }, 'The recipe has moved on'),
      h('p', {}, `This make was cooked from version ${make.version}, as shown here; the recipe is at version ${current} now. Since then:`),
      sincePhrases.length
        ? h('ul', { class: 'chips' }, sincePhrases.map((p) => h('li', { class: 'chip' }, p.text)))
        : h('p', {}, 'Nothing that changes how it is cooked.'),
      h('p', {}, h('a', { href: href(['recipes', recipeId]) }, `See version ${current}`)),
    );

  const onlyChanges = h('input', { type: 'checkbox', id: 'only-changes' });
  const body = h('div', { class: 'diff' });
  onlyChanges.addEventListener('change', () => body.classList.toggle('diff--only-changes', onlyChanges.checked));
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('p', { class: 'toolbar__toggle' }, onlyChanges, h('label', { for: 'only-changes' }, 'Only show what changed')),
    h('ul', { class: 'legend', 'aria-label': 'Legend' }, LEGEND.map(([name, tone]) => h('li', {}, tag(name, tone)))),
  );
  body.append(
    h('section', { class: 'panel', 'aria-labelledby': 'h-make-ingredients' }, h('h2', { id: 'h-make-ingredients' }, 'Ingredients'), ingredientList(make, changes, scaled)),
    h('section', { class: 'panel', 'aria-labelledby': 'h-make-steps' }, h('h2', { id: 'h-make-steps' }, 'Method'), stepList(make, changes)),
  );

  return {
    title: `${recipeName} · make ${make.makeId}`,
    node: h('div', {}, header, glance, movedOn, scaled && scaledPanel(scaled), toolbar, body),
  };
}

/**
 * "Make this the recipe": the make's content becomes the recipe's next
 * version (its rating, notes and date dropped; `adoptedFrom` names it),
 * uploaded through the bucket; once stored, the recipe's page shows it.
 * @param {string} recipeId
 * @param {string} makeId
 * @param {CanonicalRecipe} document The make's canonical document.
 * @param {number} currentVersion
 */
function adoptControl(recipeId, makeId, document, currentVersion) {
  const status = h('span', { class: 'editor__status', role: 'status', 'aria-live': 'polite', id: 'adopt-status' });
  const button = h('button', { type: 'button', class: 'button', id: 'adopt-make' }, 'Make this the recipe');
  button.addEventListener('click', () =>
    saveShowing(
      { button, status, what: 'the new version', saving: 'Uploading the make as the next version…', waiting: 'Uploaded, not stored yet: the recipe page shows the new version once the chain has read it.' },
      () => saveVersion(recipeId, currentVersion, `${recipeId}.adopt-${makeId}`, adoptedDocument(document, makeId)),
      () => (location.hash = href(['recipes', recipeId])),
    ),
  );
  return h('p', { class: 'page-header__actions' }, button, ' ', status);
}

/**
 * A make's diff as the editor previews it: what changed, nothing else.
 * @param {{ document: CanonicalRecipe, diff: MakeDiff }} make
 */
export function previewView(make) {
  const changes = make.diff?.changes ?? [];
  const summary = make.diff?.summary ?? { total: changes.length };
  const scaled = changes.find((c) => c.op === 'scaled');
  const phrases = summaryPhrases(summary);
  return h(
    'div',
    { class: 'diff diff--only-changes preview' },
    phrases.length
      ? h('ul', { class: 'chips' }, phrases.map((p) => h('li', { class: 'chip' }, p.text)))
      : h('p', {}, 'Made exactly as the recipe says.'),
    recipeLevel(changes).length > 0 && h('ul', { class: 'glance' }, recipeLevel(changes)),
    h('h3', {}, 'Ingredients'),
    ingredientList(make, changes, scaled),
    h('h3', {}, 'Method'),
    stepList(make, changes),
  );
}
