// @ts-check
// How amounts, ratings and dates read for a cook.

/** @import { CanonicalIngredient, DiffIngredient, Quantity, Summary } from './api-types.js' */

/**
 * A second measure in either form: as a document writes it (`Measure`:
 * {quantity, quantityMax, measurement}) or as a diff does (`DiffMeasure`:
 * {quantity: {value, max}, unit}).
 * @typedef {{ quantity: number | Quantity, quantityMax?: number, measurement?: string, unit?: string }} AnyMeasure
 */

/**
 * The parts of an ingredient an amount reads besides its quantity and unit.
 * @typedef {{ size?: string, packageSize?: AnyMeasure, plus?: AnyMeasure, alternative?: AnyMeasure }} AmountExtras
 */

/**
 * An ingredient as a list shows it: "½ cup", "white sugar", "sifted".
 * @typedef {{ amount: string, name: string, note: string | undefined }} IngredientText
 */

/** @type {[number, string][]} */
const FRACTIONS = [
  [1 / 8, '⅛'], [1 / 4, '¼'], [1 / 3, '⅓'], [3 / 8, '⅜'], [1 / 2, '½'],
  [5 / 8, '⅝'], [2 / 3, '⅔'], [3 / 4, '¾'], [7 / 8, '⅞'],
];

/**
 * A plain number: at most three decimals, no trailing zeros.
 * @param {number | null | undefined} value
 */
export function number(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '';
  return String(Number(value.toFixed(3)));
}

/**
 * A cook's amount: 1½, ¾, 2.4.
 * @param {unknown} value
 */
export function amountNumber(value) {
  if (typeof value !== 'number') return '';
  const whole = Math.trunc(value);
  const part = value - whole;
  if (part > 0 && value < 100) {
    for (const [fraction, glyph] of FRACTIONS) {
      if (Math.abs(part - fraction) <= 0.01 * Math.max(fraction, 0.1)) {
        return whole === 0 ? glyph : `${whole}${glyph}`;
      }
    }
  }
  return number(value);
}

/**
 * A quantity as the diff writes it ({value, max}) or as a recipe does (quantity, quantityMax).
 * @param {Quantity | null | undefined} q
 */
export function quantity(q) {
  if (!q || typeof q.value !== 'number') return '';
  return q.max !== undefined && q.max !== null ? `${amountNumber(q.value)}–${amountNumber(q.max)}` : amountNumber(q.value);
}

/**
 * The plurals of the units the chain knows (shared/src/units.rs, whose
 * `Unit::for_amount` writes the same): a unit symbol not here is an
 * abbreviation (`tbsp`, `g`), `dozen`, or a unit kept as written, and reads
 * the same after any amount.
 * @type {Record<string, string>}
 */
const PLURALS = Object.fromEntries([
  'cup', 'pint', 'quart', 'gallon', 'piece', 'drop', 'clove', 'can', 'jar', 'package', 'packet', 'sachet',
  'envelope', 'carton', 'container', 'punnet', 'tube', 'block', 'rasher', 'ear', 'strip', 'wedge', 'head',
  'sprig', 'slice', 'stick', 'stalk', 'rib', 'rack', 'grind', 'bulb', 'handful', 'sheet', 'bag', 'bottle',
  'cube', 'knob', 'fillet', 'scoop',
].map((unit) => [unit, `${unit}s`]).concat([
  ['pinch', 'pinches'], ['dash', 'dashes'], ['inch', 'inches'], ['box', 'boxes'], ['bunch', 'bunches'],
  ['loaf', 'loaves'], ['leaf', 'leaves'],
]));

/**
 * A unit as a cook writes it after `q`: plural after more than one ("2
 * cloves", "1½ cups", "1–2 cups"), as it is otherwise.
 * @param {string | undefined} unit
 * @param {Quantity | null | undefined} q
 */
export function unitFor(unit, q) {
  if (!unit) return '';
  const most = q && typeof q.value === 'number' ? (typeof q.max === 'number' ? q.max : q.value) : 0;
  return most > 1 ? PLURALS[unit] ?? unit : unit;
}

/**
 * "½ cup", "2 cloves"; a count needs no unit ("6 piece apples" reads "6 apples").
 * @param {Quantity | null | undefined} q
 * @param {string | undefined} unit
 */
export function amount(q, unit) {
  const shown = unit === 'piece' && quantity(q) ? '' : unitFor(unit, q);
  return [quantity(q), shown].filter(Boolean).join(' ');
}

/**
 * A second measure, as a diff writes it ({quantity: {value}, unit}) or a document ({quantity, measurement}).
 * @param {AnyMeasure | undefined} m
 */
export function measure(m) {
  if (!m) return '';
  const q = typeof m.quantity === 'number' ? { value: m.quantity, max: m.quantityMax } : m.quantity;
  return amount(q, m.unit ?? m.measurement);
}

/**
 * A whole amount as a cook reads it: "2 × 8 oz package", "½ cup + 2 tbsp",
 * "15 g (½ oz)", "1 heaped tsp". `extra` holds size, packageSize, plus and alternative.
 * @param {Quantity | null | undefined} q
 * @param {string | undefined} unit
 * @param {AmountExtras} [extra]
 */
export function fullAmount(q, unit, extra = {}) {
  const count = quantity(q);
  const shownUnit = unit === 'piece' && count ? '' : unitFor(unit, q);
  let text = extra.packageSize
    ? [count, '×', measure(extra.packageSize), extra.size, shownUnit].filter(Boolean).join(' ')
    : [count, extra.size, shownUnit].filter(Boolean).join(' ');
  if (extra.plus) text += ` + ${measure(extra.plus)}`;
  if (extra.alternative) text += ` (${measure(extra.alternative)})`;
  return text;
}

/**
 * Preparation and note together: "peeled and chopped, to taste".
 * @param {{ preparation?: string, note?: string }} ingredient
 */
function noteText(ingredient) {
  return [ingredient.preparation, ingredient.note].filter(Boolean).join(', ') || undefined;
}

/**
 * An ingredient of a canonical recipe document: "½ cup white sugar, sifted".
 * @param {CanonicalIngredient} ingredient
 * @returns {IngredientText}
 */
export function documentIngredient(ingredient) {
  const q = typeof ingredient.quantity === 'number' ? { value: ingredient.quantity, max: ingredient.quantityMax } : null;
  return { amount: fullAmount(q, ingredient.measurement, ingredient), name: ingredient.ingredientName, note: noteText(ingredient) };
}

/**
 * An ingredient of a diff ({name, quantity, unit, size, packageSize, plus, alternative, preparation, note}).
 * @param {DiffIngredient} ingredient
 * @returns {IngredientText}
 */
export function diffIngredient(ingredient) {
  return { amount: fullAmount(ingredient.quantity, ingredient.unit, ingredient), name: ingredient.name, note: noteText(ingredient) };
}

/**
 * ×0.67, ×2.
 * @param {unknown} value
 */
export function ratio(value) {
  return typeof value === 'number' ? `×${number(Math.round(value * 100) / 100)}` : '';
}

/**
 * A rating as written (–, when there is none).
 * @param {unknown} value
 */
export function rating(value) {
  return typeof value === 'number' ? number(value) : '–';
}

/**
 * An average rating, to one decimal: 4.375 reads 4.4.
 * @param {unknown} value
 */
export function average(value) {
  return typeof value === 'number' ? number(Math.round(value * 10) / 10) : '–';
}

/**
 * A share from 0 to 1 as a whole percentage: 0.6667 is "67%".
 * @param {number} share
 */
export function percent(share) {
  return `${Math.round(share * 100)}%`;
}

/**
 * A difference with its sign: +1, −0.5, ±0.
 * @param {unknown} value
 */
export function signed(value) {
  if (typeof value !== 'number') return '';
  return value > 0 ? `+${number(value)}` : value < 0 ? `−${number(-value)}` : '±0';
}

/**
 * "1 make", "3 makes".
 * @param {number} count
 * @param {string} one
 * @param {string} [many]
 */
export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

const DATE = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** @param {string | null | undefined} text */
function parse(text) {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * "3 Dec 2026" in the reader's locale; the text itself when it is not a date.
 * @param {string | null | undefined} text
 */
export function date(text) {
  const d = parse(text);
  return d ? DATE.format(d) : text ?? '';
}

/**
 * "3 Dec 2026, 14:05" in the reader's locale; the text itself when it is not a date.
 * @param {string | null | undefined} text
 */
export function dateTime(text) {
  const d = parse(text);
  return d ? DATE_TIME.format(d) : text ?? '';
}

/**
 * Milliseconds since the epoch, or null when the text is not a date.
 * @param {string | null | undefined} text
 */
export function time(text) {
  return parse(text)?.getTime() ?? null;
}

/**
 * The summary counts of a diff, as short phrases: "1 amount changed".
 * @type {[keyof Summary, string, string][]}
 */
const SUMMARY = [
  ['nameChanged', 'name changed', 'names changed'],
  ['fieldsChanged', 'detail changed', 'details changed'],
  ['ingredientsAdded', 'ingredient added', 'ingredients added'],
  ['ingredientsRemoved', 'ingredient left out', 'ingredients left out'],
  ['ingredientsSubstituted', 'swap', 'swaps'],
  ['ingredientsRenamed', 'rename', 'renames'],
  ['quantitiesChanged', 'amount changed', 'amounts changed'],
  ['unitsChanged', 'unit changed', 'units changed'],
  ['ingredientsMoved', 'ingredient moved', 'ingredients moved'],
  ['ingredientDetailsChanged', 'note changed', 'notes changed'],
  ['stepsInserted', 'step added', 'steps added'],
  ['stepsDeleted', 'step skipped', 'steps skipped'],
  ['stepsEdited', 'step edited', 'steps edited'],
  ['stepsMoved', 'step moved', 'steps moved'],
  ['stepDetailsChanged', 'step detail changed', 'step details changed'],
];

/**
 * The phrases of a diff's summary, for each kind it counts (a partial
 * summary counts the others as 0).
 * @param {Partial<Summary> | undefined} summary
 * @returns {{ key: keyof Summary, text: string }[]}
 */
export function summaryPhrases(summary) {
  if (!summary) return [];
  return SUMMARY.filter(([key]) => (summary[key] ?? 0) > 0).map(([key, one, many]) => ({
    key,
    text: `${summary[key]} ${summary[key] === 1 ? one : many}`,
  }));
}
