// One make against the recipe version it was made from: ingredients and
// steps with every change marked in words and symbols as well as colour.

import { get, seg } from './api.js';
import { h, breadcrumbs, srOnly } from './dom.js';
import { date, diffIngredient, documentIngredient, fullAmount, number, plural, quantity, ratio, signed, summaryPhrases } from './format.js';
import { stars } from './page-recipe.js';

const INGREDIENT_OPS = new Set([
  'ingredient-added', 'ingredient-renamed', 'ingredient-substituted', 'ingredient-moved',
  'quantity-changed', 'unit-changed', 'ingredient-detail-changed',
]);
const STEP_OPS = new Set(['step-inserted', 'step-moved', 'step-edited', 'step-detail-changed']);

/** A change's label: a symbol and a word, so colour is never the only cue. */
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

function tag(name, tone) {
  const [symbol, word] = TAGS[name];
  return h('span', { class: ['tag', `tag--${tone}`] }, h('span', { class: 'tag__symbol', 'aria-hidden': 'true' }, symbol), word);
}

function arrow(before, after, cls = '') {
  return h('span', { class: ['change', cls] }, h('span', { class: 'change__before' }, before), h('span', { class: 'change__arrow' }, ' → '), h('span', { class: 'change__after' }, after));
}

function fieldLabel(field) {
  const name = field.replace(/^fields\./, '');
  if (name === 'recipeYield') return 'Yield';
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words[0].toUpperCase() + words.slice(1);
}

function show(value) {
  if (value === null || value === undefined) return '(none)';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function byIndex(changes, ops) {
  const map = new Map();
  for (const change of changes) {
    if (!ops.has(change.op)) continue;
    const list = map.get(change.makeIndex) ?? [];
    list.push(change);
    map.set(change.makeIndex, list);
  }
  return map;
}

/** Where a removed item (at recipeIndex) sits among the make's items:
 * its recipe position, less the removals before it, plus the additions. */
function placeRemoved(removed, added) {
  const removedIdx = removed.map((c) => c.recipeIndex).sort((a, b) => a - b);
  const addedIdx = added.map((c) => c.makeIndex).sort((a, b) => a - b);
  return removed.map((c) => {
    let pos = c.recipeIndex - removedIdx.filter((r) => r < c.recipeIndex).length;
    for (const a of addedIdx) if (a <= pos) pos += 1;
    return { change: c, before: pos };
  });
}

function deviationText(change, factor) {
  const pct = Math.round((change.deviation - 1) * 100);
  const how = pct < 0 ? `${-pct}% less than` : `${pct}% more than`;
  return `off scale: ${ratio(change.ratio)} where the batch is ${ratio(factor)} (${how} the scaled amount)`;
}

function ingredientDetails(changes, scaleEntry, factor) {
  const details = [];
  const tags = [];
  let tone = 'same';
  const toneRank = { same: 0, scaled: 1, equivalent: 2, moved: 3, changed: 4, added: 5 };
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
      case 'quantity-changed':
        tags.push(tag('amount', 'changed'));
        raise('changed');
        details.push(
          h(
            'p',
            {},
            'Amount: ',
            arrow(quantity(c.before) || 'none', [quantity(c.after) || 'none', c.unit].filter(Boolean).join(' ')),
            typeof c.ratio === 'number' && h('span', { class: 'ratio' }, ` ${ratio(c.ratio)}`, srOnly(c.ratio < 1 ? ' (less)' : ' (more)')),
          ),
        );
        if (typeof c.deviation === 'number') {
          details.push(h('p', { class: 'off-scale' }, h('span', { 'aria-hidden': 'true' }, '! '), deviationText(c, factor)));
        }
        break;
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
  return { tags, details, tone };
}

function ordinal(n) {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] || s[v] || s[0]}`;
}

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

function ingredientList(make, changes, scaled) {
  const ingredients = make.document.ingredients ?? [];
  const byMake = byIndex(changes, INGREDIENT_OPS);
  const scaleByName = new Map((scaled?.ingredients ?? []).map((e) => [e.ingredient, e]));
  const removed = placeRemoved(
    changes.filter((c) => c.op === 'ingredient-removed'),
    changes.filter((c) => c.op === 'ingredient-added'),
  );
  const rows = [];
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
    const text = documentIngredient(ingredient);
    const { tags, details, tone } = ingredientDetails(own, scaleByName.get(ingredient.ingredientName), scaled?.factor);
    const main = own.find((c) => c.op !== 'ingredient-detail-changed') ?? own[0];
    rows.push(ingredientRow({ text, tags, details, tone, change: main?.op ?? (tone === 'scaled' ? 'scaled' : 'none') }));
  });
  for (const r of removed) if (r.before >= ingredients.length) rows.push(removedRow(r));
  return h('ul', { class: 'rows', 'aria-labelledby': 'h-make-ingredients' }, rows);
}

/** A step's text with the make's insertions and the recipe's deletions marked
 * (spaces at the edges of a span stay outside the mark, so it hugs the words). */
function inline(spans) {
  return spans.map((span) => {
    if (span.kind === 'equal') return span.text;
    const [, lead, words, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(span.text);
    const mark = span.kind === 'insert' ? h('ins', {}, words) : h('del', {}, words);
    const said = span.kind === 'insert' ? 'added' : 'removed';
    return [lead, srOnly(`[${said}: `), mark, srOnly(']'), trail];
  });
}

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
  row.section = section ?? null;
  return row;
}

/** Steps under their section headings (schema.org HowToSection), as the recipe groups them. */
function withSections(rows) {
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

function stepList(make, changes) {
  const steps = make.document.steps ?? [];
  const byMake = byIndex(changes, STEP_OPS);
  const removed = placeRemoved(
    changes.filter((c) => c.op === 'step-deleted'),
    changes.filter((c) => c.op === 'step-inserted'),
  );
  const rows = [];
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
    const tags = [];
    const details = [];
    let tone = 'same';
    let text = step.stepText;
    for (const c of own) {
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
    const main = own.find((c) => c.op !== 'step-detail-changed') ?? own[0];
    rows.push(stepRow({ number: i + 1, text, tags, details, tone, change: main?.op ?? 'none', section: step.section }));
  });
  for (const r of removed) if (r.before >= steps.length) rows.push(removedRow(r));
  return h('ol', { class: 'rows rows--steps', 'aria-labelledby': 'h-make-steps' }, withSections(rows));
}

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

function recipeLevel(changes) {
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

const LEGEND = [['added', 'added'], ['removed', 'removed'], ['changed', 'changed'], ['equivalent', 'equivalent'], ['moved', 'moved'], ['scaled', 'scaled']];

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
    node: h('div', {}, header, glance, scaled && scaledPanel(scaled), toolbar, body),
  };
}

/** A make's diff as the editor previews it: what changed, nothing else. */
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
