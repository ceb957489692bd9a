// @ts-check
// "I made this": a make editor prefilled with the recipe's current version.
// The cook changes amounts and units, leaves ingredients out, adds or swaps
// them, skips, rewords and reorders steps, and sets the rating, the date and
// notes. An amount that the line says more of (an added measure, `⅓ cup
// plus 1 tbsp`, or a restatement, `2 cups (250 g)`) changes as a whole: a
// new amount scales the added measure and the restatement by the same
// factor, shown beside the amount as the cook types, and a restatement that
// cannot follow (another unit, an amount that is not a number) is dropped,
// so that no make is saved with a stale one. A live preview shows the diff
// from the server's own engine
// (POST /recipes/{recipeId}/diff, which stores nothing; the recipe is in
// the path so that the access log names it). Save uploads the make, as
// seed-format JSON, into the bucket under makes/ through a signed form; the
// chain does the rest, and the page follows the make until it is stored
// (then opens it) or refused (then says why).

/** @import { CanonicalIngredient, CanonicalRecipe, CanonicalStep, Measure, RecipeVersion, SeedDocument, SeedIngredient, SeedStep } from './api-types.js' */
/** @import { Failure } from './api.js' */
/** @import { Attrs, PageView } from './dom.js' */

/**
 * An ingredient as the cook edits it: the recipe's (`original`, empty for
 * one the cook adds), and the amount, unit and name as typed.
 * @typedef {{ key: string, original: Partial<CanonicalIngredient>, amount: string, unit: string, name: string, left: boolean }} IngredientRow
 */

/**
 * A step as the cook edits it.
 * @typedef {{ key: string, original: CanonicalStep, text: string, skipped: boolean }} StepRow
 */

/**
 * The editor's state: the make's ids, date, rating and notes as typed, the
 * recipe's fields it keeps, and the rows.
 * @typedef {{
 *   recipeId: string,
 *   makeId: string,
 *   made: string,
 *   rating: string,
 *   notes: string,
 *   fields: Record<string, unknown>,
 *   recipeName: string,
 *   recipeYield: string | undefined,
 *   ingredients: IngredientRow[],
 *   steps: StepRow[],
 * }} EditorState
 */

/**
 * A reason the chain would refuse the make, and the control it is about.
 * @typedef {{ field: string, text: string }} EditorProblem
 */

import { ApiError, follow, get, post, seg, upload } from './api.js';
import { h, breadcrumbs, editorForm, field, href, panel } from './dom.js';
import { measure } from './format.js';
import { previewView } from './page-make.js';
import { saveShowing, saveVersion, tail } from './evolve.js';

const PREVIEW_DELAY_MS = 350;

/** Today's date as YYYY-MM-DD, in the cook's time zone. */
function today() {
  const now = new Date();
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * A make id the cook will recognise: the date and a short random tail.
 * @param {string} made
 */
function newMakeId(made) {
  const tail = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${made}-${tail}`;
}

/**
 * The text an amount input starts with: the quantity (or range) as written.
 * @param {Partial<CanonicalIngredient>} ingredient
 */
function quantityText(ingredient) {
  if (typeof ingredient.quantity !== 'number') return '';
  return typeof ingredient.quantityMax === 'number' ? `${ingredient.quantity}-${ingredient.quantityMax}` : String(ingredient.quantity);
}

/** @type {Record<string, number>} */
const GLYPHS = { '½': 1 / 2, '⅓': 1 / 3, '⅔': 2 / 3, '¼': 1 / 4, '¾': 3 / 4, '⅛': 1 / 8, '⅜': 3 / 8, '⅝': 5 / 8, '⅞': 7 / 8 };

/**
 * One number as a cook types it: 2, 1.5, 1,5, 1/2, 1 1/2, ½, 1½.
 * @param {string} text
 * @returns {number | null}
 */
function numberOf(text) {
  const t = text.trim();
  let m;
  if ((m = /^(\d+(?:[.,]\d+)?|[.,]\d+)$/.exec(t))) return Number((m[1] ?? '').replace(',', '.'));
  if ((m = /^(?:(\d+)\s+)?(\d+)\/(\d+)$/.exec(t))) return Number(m[3]) > 0 ? Number(m[1] ?? 0) + Number(m[2]) / Number(m[3]) : null;
  if ((m = /^(\d*)\s*([½⅓⅔¼¾⅛⅜⅝⅞])$/.exec(t))) return Number(m[1] || 0) + (GLYPHS[m[2] ?? ''] ?? 0);
  return null;
}

/**
 * The amount an amount input says, for ratios: a number, or the middle of
 * a range (2-3, 2–3, 2 to 3); null when it is not one.
 * @param {string} text
 */
function amountOf(text) {
  const ends = text.split(/\s*(?:-|–|\bto\b)\s*/);
  const values = ends.map(numberOf);
  const [low, high, more] = values;
  if (typeof low !== 'number' || high === null || more !== undefined) return null;
  return (low + (high ?? low)) / 2;
}

/**
 * The middle of a recipe's amount (quantity, or quantity to quantityMax).
 * @param {{ quantity?: number, quantityMax?: number }} amount
 */
function middle(amount) {
  if (typeof amount.quantity !== 'number') return null;
  return typeof amount.quantityMax === 'number' ? (amount.quantity + amount.quantityMax) / 2 : amount.quantity;
}

/**
 * A measure times `factor`, rounded as a cook would read it.
 * @param {Measure} m
 * @param {number} factor
 * @returns {Measure}
 */
function scaled(m, factor) {
  const round = (/** @type {number} */ v) => Number((v * factor).toFixed(3));
  /** @type {Measure} */
  const out = { ...m, quantity: round(m.quantity) };
  if (typeof m.quantityMax === 'number') out.quantityMax = round(m.quantityMax);
  return out;
}

/**
 * What the line says beyond its amount, as the row's amount and unit now
 * make it: the added measure and the restatement, scaled with the amount
 * when it changed, the restatement dropped when it cannot follow.
 * @param {IngredientRow} row
 * @returns {{ plus?: Measure, alternative?: Measure }}
 */
function extras(row) {
  const { plus, alternative } = row.original;
  const unitChanged = row.unit.trim() !== (row.original.measurement ?? '');
  if (row.amount.trim() === quantityText(row.original)) {
    return unitChanged ? { plus } : { plus, alternative };
  }
  const before = middle(row.original);
  const after = amountOf(row.amount);
  const factor = before !== null && before > 0 && after !== null ? after / before : null;
  if (factor === null) return { plus };
  return {
    plus: plus && !unitChanged ? scaled(plus, factor) : plus,
    alternative: alternative && !unitChanged ? scaled(alternative, factor) : undefined,
  };
}

/**
 * The part of a row's amount its inputs do not hold: "+ 2 tbsp (500 g)".
 * @param {IngredientRow} row
 */
function extraText(row) {
  const { plus, alternative } = extras(row);
  return [plus && `+ ${measure(plus)}`, alternative && `(${measure(alternative)})`].filter(Boolean).join(' ');
}

/**
 * Enough rows for a step's whole text in a box about 40 characters wide
 * (a phone's), and never fewer than 2.
 * @param {string} text
 */
function stepRows(text) {
  const lines = text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / 40)), 0);
  return Math.max(2, lines);
}

/**
 * The editor's state: rows the cook edits, built from the canonical recipe.
 * @param {RecipeVersion} recipe
 * @returns {EditorState}
 */
function initialState(recipe) {
  /** @type {Partial<CanonicalRecipe>} */
  const doc = recipe.document ?? {};
  const made = today();
  return {
    recipeId: recipe.recipeId,
    makeId: newMakeId(made),
    made,
    rating: '',
    notes: '',
    fields: doc.fields ?? {},
    recipeName: doc.recipeName ?? recipe.name,
    recipeYield: doc.recipeYield,
    ingredients: (doc.ingredients ?? []).map((ingredient, i) => ({
      key: `i${i}`,
      original: ingredient,
      amount: quantityText(ingredient),
      unit: ingredient.measurement ?? '',
      name: ingredient.ingredientName ?? '',
      left: false,
    })),
    steps: (doc.steps ?? []).map((step, i) => ({ key: `s${i}`, original: step, text: step.stepText ?? '', skipped: false })),
  };
}

/**
 * What the editor would send, and the reasons the chain would refuse it.
 * @param {EditorState} state
 * @returns {{ document: SeedDocument, problems: EditorProblem[] }}
 */
function makeDocument(state) {
  /** @type {EditorProblem[]} */
  const problems = [];
  const rating = state.rating.trim();
  if (rating !== '') {
    const value = Number(rating);
    if (!Number.isFinite(value) || value < 0 || value > 5) problems.push({ field: 'rating', text: 'The rating is a number from 0 to 5.' });
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(state.made)) problems.push({ field: 'made', text: 'The date made is a date (YYYY-MM-DD).' });
  /** @type {SeedIngredient[]} */
  const ingredients = [];
  state.ingredients.forEach((row, i) => {
    if (row.left) return;
    const name = row.name.trim();
    if (!name) problems.push({ field: `ingredient-${i}`, text: `Ingredient ${i + 1} needs a name (or leave it out).` });
    /** @type {SeedIngredient} */
    const out = { ...row.original, ingredientName: name };
    if (row.amount.trim() !== quantityText(row.original)) {
      delete out.quantityMax;
      const amount = row.amount.trim();
      if (amount === '') delete out.quantity;
      else out.quantity = /^\d+(\.\d+)?$/.test(amount) ? Number(amount) : amount;
    }
    // The added measure and the restatement follow the amount (never a
    // stale restatement: one that cannot follow is dropped).
    const { plus, alternative } = extras(row);
    if (plus) out.plus = plus;
    else delete out.plus;
    if (alternative) out.alternative = alternative;
    else delete out.alternative;
    if (row.unit.trim() !== (row.original.measurement ?? '')) {
      if (row.unit.trim() === '') delete out.measurement;
      else out.measurement = row.unit.trim();
    }
    ingredients.push(out);
  });
  /** @type {SeedStep[]} */
  const steps = [];
  state.steps.forEach((row, i) => {
    if (row.skipped) return;
    const text = row.text.trim();
    if (!text) problems.push({ field: `step-${i}`, text: `Step ${i + 1} is empty: write it, or skip it.` });
    steps.push({ ...row.original, stepText: text });
  });
  /** @type {SeedDocument} */
  const document = {
    ...state.fields,
    recipeId: state.recipeId,
    recipeName: state.recipeName,
    makeId: state.makeId,
    madeAt: state.made,
    ingredients,
    steps,
  };
  if (state.recipeYield) document.recipeYield = state.recipeYield;
  if (rating !== '' && Number.isFinite(Number(rating))) document.rating = Number(rating);
  if (state.notes.trim()) document.notes = state.notes.trim();
  return { document, problems };
}

/**
 * Moves the focus to the control `selector` finds in `list`, if any (after
 * the list is drawn again).
 * @param {HTMLElement} list
 * @param {string} selector
 */
function focusIn(list, selector) {
  const control = /** @type {HTMLElement | null} */ (list.querySelector(selector));
  control?.focus();
}

/**
 * The key (data-row) of the editor row an event happened in, if any.
 * @param {Event} event
 */
function rowKey(event) {
  const row = /** @type {Element} */ (event.target).closest('[data-row]');
  return /** @type {HTMLElement | null} */ (row)?.dataset.row;
}

/**
 * "Make a variant": the same editor, started from the recipe, saving a new
 * recipe (named by the cook) whose `variantOf` is this one; the preview
 * shows how it differs from the recipe.
 * @param {string} recipeId
 * @returns {Promise<PageView>}
 */
export function variantPage(recipeId) {
  return editorPage(recipeId, 'variant');
}

/**
 * "I made this": the editor, started from the recipe, saving a make of it.
 * @param {string} recipeId
 * @returns {Promise<PageView>}
 */
export function logMakePage(recipeId) {
  return editorPage(recipeId, 'make');
}

/**
 * A variant's document: the editor's make without what is a make's own,
 * under a new recipe id and the cook's name for it, naming its parent.
 * @param {SeedDocument} make
 * @param {string} variantId
 * @param {string} name
 * @param {string} parentId
 * @returns {SeedDocument}
 */
function variantDocument(make, variantId, name, parentId) {
  const { makeId: _makeId, madeAt: _madeAt, notes: _notes, rating: _rating, ...content } = make;
  return { ...content, recipeId: variantId, recipeName: name, variantOf: parentId };
}

/**
 * A recipe id from a variant's name: its letters and digits joined by
 * dashes, and a short random tail (so that two variants of one name are
 * two recipes).
 * @param {string} name
 */
function variantId(name) {
  const words = name.toLowerCase().normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${words || 'variant'}-${tail()}`;
}

/**
 * @param {string} recipeId
 * @param {'make' | 'variant'} mode A make of the recipe, or a variant of it.
 * @returns {Promise<PageView>}
 */
async function editorPage(recipeId, mode) {
  const variant = mode === 'variant';
  const recipe = await get(`recipes/${seg(recipeId)}`);
  if (recipe.withdrawn && !variant) {
    throw new ApiError(409, {
      title: 'This recipe is withdrawn',
      detail: 'Every file of this recipe was deleted from the bucket, so a new make of it would be refused.',
    });
  }
  const state = initialState(recipe);
  const status = h('div', { class: 'editor__status', role: 'status', 'aria-live': 'polite', id: 'save-status' });
  const problemsBox = h('ul', { class: 'editor__problems', id: 'editor-problems', 'aria-live': 'polite' });
  const previewBox = h('div', { class: 'editor__preview', id: 'preview', 'aria-live': 'polite', 'aria-busy': 'false' });
  const save = h('button', { type: 'submit', class: 'button', id: variant ? 'save-variant' : 'save-make' }, variant ? 'Save this variant' : 'Save this make');
  const ingredientsList = h('ol', { class: 'editor__rows', id: 'editor-ingredients' });
  const stepsList = h('ol', { class: 'editor__rows', id: 'editor-steps' });

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let previewTimer;
  let previewGeneration = 0;
  function changed() {
    const { problems } = makeDocument(state);
    problemsBox.replaceChildren(...problems.map((p) => h('li', { dataset: { field: p.field } }, p.text)));
    save.disabled = problems.length > 0;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, PREVIEW_DELAY_MS);
  }

  async function preview() {
    const { document, problems } = makeDocument(state);
    const gen = ++previewGeneration;
    if (problems.length) {
      previewBox.dataset.state = 'invalid';
      previewBox.replaceChildren(h('p', { class: 'muted' }, 'The preview waits until the make is one the chain would take.'));
      return;
    }
    previewBox.setAttribute('aria-busy', 'true');
    try {
      const diff = await post(`recipes/${seg(state.recipeId)}/diff`, document);
      if (gen !== previewGeneration) return;
      previewBox.dataset.state = 'ready';
      previewBox.replaceChildren(previewView(diff));
    } catch (error) {
      if (gen !== previewGeneration) return;
      previewBox.dataset.state = 'error';
      const problem = /** @type {Failure | undefined} */ (error)?.problem ?? {};
      previewBox.replaceChildren(h('p', { class: 'notice notice--error', role: 'alert' }, problem.detail ?? String(error), problem.path ? ` (${problem.path})` : ''));
    } finally {
      if (gen === previewGeneration) previewBox.setAttribute('aria-busy', 'false');
    }
  }

  /**
   * A text input that starts with `value` and calls `onInput` with each edit.
   * @param {Attrs} attrs
   * @param {string} value
   * @param {(value: string) => void} onInput
   */
  function input(attrs, value, onInput) {
    const el = h('input', { ...attrs, value });
    el.value = value;
    el.addEventListener('input', () => {
      onInput(el.value);
      changed();
    });
    return el;
  }

  /**
   * @param {IngredientRow} row
   * @param {number} i
   */
  function ingredientRow(row, i) {
    const id = `ing-${row.key}`;
    const toggle = h(
      'button',
      { type: 'button', class: 'button button--quiet', 'aria-pressed': String(row.left), dataset: { action: 'leave-out' } },
      row.left ? 'Put back' : 'Leave out',
    );
    toggle.addEventListener('click', () => {
      row.left = !row.left;
      renderIngredients();
      changed();
      focusIn(ingredientsList, `[data-row="${row.key}"] [data-action="leave-out"]`);
    });
    // The rest of the amount ("+ 2 tbsp (500 g)"), following the amount.
    const extra = h('span', { class: 'editor__extra', id: `${id}-extra`, dataset: { part: 'extra' } }, extraText(row));
    const follow = () => (extra.textContent = extraText(row));
    return h(
      'li',
      { class: ['editor__row', row.left && 'editor__row--left'], dataset: { row: row.key } },
      h(
        'fieldset',
        { disabled: row.left },
        h('legend', { class: 'sr-only' }, `Ingredient ${i + 1}`),
        input({ id: `${id}-amount`, class: 'editor__amount', 'aria-label': `Amount of ingredient ${i + 1}`, 'aria-describedby': `${id}-extra`, inputmode: 'decimal', dataset: { part: 'amount' } }, row.amount, (v) => {
          row.amount = v;
          follow();
        }),
        input({ id: `${id}-unit`, class: 'editor__unit', 'aria-label': `Unit of ingredient ${i + 1}`, dataset: { part: 'unit' } }, row.unit, (v) => {
          row.unit = v;
          follow();
        }),
        extra,
        input({ id: `${id}-name`, class: 'editor__name', 'aria-label': `Ingredient ${i + 1}`, dataset: { part: 'name' } }, row.name, (v) => (row.name = v)),
      ),
      toggle,
    );
  }

  function renderIngredients() {
    ingredientsList.replaceChildren(...state.ingredients.map(ingredientRow));
  }

  /**
   * Moves the step at `index` by `by` places.
   * @param {number} index
   * @param {number} by
   */
  function move(index, by) {
    const to = index + by;
    const row = state.steps[index];
    if (!row || to < 0 || to >= state.steps.length) return;
    state.steps.splice(index, 1);
    state.steps.splice(to, 0, row);
    renderSteps();
    changed();
    focusIn(stepsList, `[data-row="${row.key}"] [data-action="${by < 0 ? 'up' : 'down'}"]`);
  }

  /**
   * @param {StepRow} row
   * @param {number} i
   */
  function stepRow(row, i) {
    // The box shows the whole step: CSS sizes it to its text where the
    // browser can (field-sizing), and its rows follow the text elsewhere.
    const text = h('textarea', { id: `step-${row.key}`, class: 'editor__step', rows: stepRows(row.text), 'aria-label': `Step ${i + 1}`, disabled: row.skipped });
    text.value = row.text;
    text.addEventListener('input', () => {
      row.text = text.value;
      text.rows = stepRows(text.value);
      changed();
    });
    /**
     * @param {string} action
     * @param {string} label
     * @param {string} title
     * @param {() => void} onClick
     * @param {boolean} [disabled]
     */
    const button = (action, label, title, onClick, disabled) => {
      const b = h('button', { type: 'button', class: 'button button--quiet button--small', dataset: { action }, 'aria-label': title, title, disabled }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    return h(
      'li',
      { class: ['editor__row', row.skipped && 'editor__row--left'], dataset: { row: row.key }, draggable: 'true' },
      text,
      h(
        'span',
        { class: 'editor__actions' },
        button('up', '↑', `Move step ${i + 1} up`, () => move(i, -1), i === 0),
        button('down', '↓', `Move step ${i + 1} down`, () => move(i, 1), i === state.steps.length - 1),
        button('skip', row.skipped ? 'Put back' : 'Skip', row.skipped ? `Put step ${i + 1} back` : `Skip step ${i + 1}`, () => {
          row.skipped = !row.skipped;
          renderSteps();
          changed();
          focusIn(stepsList, `[data-row="${row.key}"] [data-action="skip"]`);
        }),
      ),
    );
  }

  function renderSteps() {
    stepsList.replaceChildren(...state.steps.map(stepRow));
  }

  // Dragging a step onto another moves it there (the buttons do the same
  // from the keyboard).
  /** @type {string | null} */
  let dragged = null;
  stepsList.addEventListener('dragstart', (event) => {
    dragged = rowKey(event) ?? null;
  });
  stepsList.addEventListener('dragover', (event) => event.preventDefault());
  stepsList.addEventListener('drop', (event) => {
    event.preventDefault();
    const target = rowKey(event);
    const from = state.steps.findIndex((s) => s.key === dragged);
    const to = state.steps.findIndex((s) => s.key === target);
    if (from >= 0 && to >= 0 && from !== to) move(from, to - from);
  });

  const addIngredient = h('button', { type: 'button', class: 'button button--quiet', id: 'add-ingredient' }, 'Add an ingredient');
  addIngredient.addEventListener('click', () => {
    const key = `n${state.ingredients.length}`;
    state.ingredients.push({ key, original: {}, amount: '', unit: '', name: '', left: false });
    renderIngredients();
    changed();
    focusIn(ingredientsList, `[data-row="${key}"] [data-part="amount"]`);
  });

  const rating = input({ id: 'make-rating', type: 'number', min: 0, max: 5, step: 0.5, inputmode: 'decimal', 'aria-describedby': 'make-rating-hint' }, '', (v) => (state.rating = v));
  const made = input({ id: 'make-date', type: 'date', required: true }, state.made, (v) => (state.made = v));
  const notes = h('textarea', { id: 'make-notes', rows: 3 });
  notes.addEventListener('input', () => {
    state.notes = notes.value;
    changed();
  });
  let variantName = `${recipe.name} (variant)`;
  const nameInput = input({ id: 'variant-name', required: true, maxlength: 200 }, variantName, (v) => (variantName = v));

  const form = editorForm(
    'make-editor',
    panel(
      'h-edit-ingredients',
      'Ingredients',
      h('p', { class: 'muted' }, 'Change an amount or unit, rename one to swap it, leave one out, or add one.'),
      ingredientsList,
      addIngredient,
    ),
    panel(
      'h-edit-steps',
      'Method',
      h('p', { class: 'muted' }, 'Reword a step, skip it, or move it with ↑ and ↓ (or drag it).'),
      stepsList,
    ),
    variant
      ? panel('h-edit-about', 'The variant', field('Its name', nameInput, `A new recipe, kept linked to ${recipe.name}.`))
      : panel(
          'h-edit-about',
          'How it went',
          field('Rating (0 to 5)', rating, 'Leave empty for no rating.'),
          field('Made on', made),
          field('Notes', notes),
        ),
    problemsBox,
    h('p', { class: 'editor__save' }, save),
    status,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { document, problems } = makeDocument(state);
    const [first] = problems;
    if (first) {
      status.textContent = first.text;
      return;
    }
    if (variant) {
      await saveVariant(document);
      return;
    }
    save.disabled = true;
    status.dataset.state = 'saving';
    status.textContent = 'Uploading the make…';
    try {
      const file = new Blob([JSON.stringify(document, null, 2)], { type: 'application/json' });
      const key = await upload('make', `${state.makeId}.json`, file);
      status.textContent = 'Uploaded. Waiting for the chain to diff and store it…';
      const outcome = await follow(key, () => get(`recipes/${seg(recipeId)}/makes/${seg(state.makeId)}`));
      if (outcome.result) {
        status.dataset.state = 'stored';
        location.hash = href(['recipes', recipeId, 'makes', state.makeId]);
      } else if (outcome.rejection) {
        status.dataset.state = 'rejected';
        const r = outcome.rejection;
        status.replaceChildren(h('strong', {}, 'The chain refused this make: '), r.message, r.path && r.path !== '$' ? ` (${r.path})` : '', ` [${r.code}]`);
        save.disabled = false;
      } else {
        status.dataset.state = 'waiting';
        status.textContent = 'The make is uploaded but not stored yet; it appears on the recipe page when the chain has diffed it.';
      }
    } catch (error) {
      status.dataset.state = 'error';
      const problem = /** @type {Failure | undefined} */ (error)?.problem ?? {};
      status.replaceChildren(h('strong', {}, `${problem.title ?? 'The make was not saved'}: `), problem.detail ?? String(error));
      save.disabled = false;
    }
  });

  /**
   * Uploads the editor's content as a new recipe, a variant of this one,
   * and opens it once the chain has stored it.
   * @param {SeedDocument} make
   */
  async function saveVariant(make) {
    const name = variantName.trim();
    if (!name) {
      status.dataset.state = 'invalid';
      status.textContent = 'Give the variant a name.';
      return;
    }
    const id = variantId(name);
    await saveShowing(
      { button: save, status, what: 'this variant', saving: 'Uploading the variant…', waiting: 'The variant is uploaded but not stored yet; it appears in the list when the chain has read it.' },
      () => saveVersion(id, 0, id, variantDocument(make, id, name, recipeId)),
      () => (location.hash = href(['recipes', id])),
    );
  }

  renderIngredients();
  renderSteps();
  changed();

  const header = h(
    'header',
    { class: 'page-header' },
    breadcrumbs([['Recipes', []], [recipe.name, ['recipes', recipeId]], variant ? 'Make a variant' : 'I made this']),
    h('p', { class: 'eyebrow' }, variant ? 'New variant' : 'New make'),
    h('h1', {}, variant ? `A variant of ${recipe.name}` : `I made ${recipe.name}`),
    h('p', { class: 'lede' }, variant ? `Start from version ${recipe.version} and change what makes your variant.` : `Start from version ${recipe.version} and change what you did differently.`),
  );
  return {
    title: variant ? `A variant of ${recipe.name}` : `I made ${recipe.name}`,
    node: h(
      'div',
      {},
      header,
      h('div', { class: 'editor-layout' }, form, h('section', { class: 'panel panel--preview', 'aria-labelledby': 'h-preview' }, h('h2', { id: 'h-preview' }, 'What changed'), previewBox)),
    ),
  };
}
