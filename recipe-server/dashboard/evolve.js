// @ts-check
// How a recipe evolves from the dashboard: a make adopted as the next
// version, an earlier version restored, a variant saved. Each is a recipe
// document uploaded into the bucket under recipes/ through a signed form,
// as every write is, then followed through the chain until it is stored
// (or refused, with the chain's reason).

/** @import { CanonicalRecipe, SeedDocument, StoredRejection } from './api-types.js' */
/** @import { Failure } from './api.js' */

import { follow, get, seg, upload } from './api.js';
import { h } from './dom.js';

/**
 * A file name the server signs forms for (letters, digits, space . _ ( ) -),
 * made from `stem`, ending in .json.
 * @param {string} stem
 */
export function fileName(stem) {
  const plain = stem.replace(/[^\p{L}\p{N} ._()-]/gu, '-').replace(/^[.\s-]+/, '').slice(0, 90);
  return `${plain || 'recipe'}.json`;
}

/**
 * A short random tail, so that two uploads never share a key.
 */
export function tail() {
  return Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The next version a make becomes: the make's document without its rating
 * (its notes and date are not in it), saying which make it adopts. The
 * same rule as shared::canonical::adopted.
 * @param {CanonicalRecipe} document
 * @param {string} makeId
 * @returns {SeedDocument}
 */
export function adoptedDocument(document, makeId) {
  const { rating: _rating, ...content } = document;
  return { ...content, adoptedFrom: makeId };
}

/**
 * The next version that restores `version`: its document, saying which
 * version it restores (shared::canonical::restored).
 * @param {CanonicalRecipe} document
 * @param {number} version
 * @returns {SeedDocument}
 */
export function restoredDocument(document, version) {
  return { ...document, restoredFrom: version };
}

/**
 * Uploads `document` as a recipe named by `stem`, and follows it until
 * recipe `recipeId` is at a version after `after` (0 for a new recipe).
 * @param {string} recipeId
 * @param {number} after
 * @param {string} stem
 * @param {SeedDocument} document
 * @returns {Promise<{ result?: number, rejection?: StoredRejection, timedOut?: true }>}
 */
export async function saveVersion(recipeId, after, stem, document) {
  const file = new Blob([JSON.stringify(document, null, 2)], { type: 'application/json' });
  const key = await upload('recipe', fileName(`${stem}-${tail()}`), file);
  return follow(key, async () => {
    const recipe = await get(`recipes/${seg(recipeId)}`);
    return recipe.currentVersion > after ? recipe.currentVersion : null;
  });
}

/**
 * What a status box says while a new version is saved, and after:
 * `button` is disabled until the chain refuses the upload or it fails;
 * `stored(version)` runs once the chain has stored it.
 * @param {{ button: HTMLButtonElement, status: HTMLElement, what: string, saving: string, waiting: string }} ui
 *   `what` names the upload ("the new version"), `saving` is said while it
 *   uploads, `waiting` when the chain has not stored it in time.
 * @param {() => ReturnType<typeof saveVersion>} save
 * @param {(version: number) => void} stored
 */
export async function saveShowing(ui, save, stored) {
  const { button, status } = ui;
  button.disabled = true;
  status.dataset.state = 'saving';
  status.textContent = ui.saving;
  try {
    const outcome = await save();
    if (outcome.result) {
      status.dataset.state = 'stored';
      stored(outcome.result);
    } else if (outcome.rejection) {
      const r = outcome.rejection;
      status.dataset.state = 'rejected';
      status.replaceChildren(h('strong', {}, `The chain refused ${ui.what}: `), r.message, r.path && r.path !== '$' ? ` (${r.path})` : '', ` [${r.code}]`);
      button.disabled = false;
    } else {
      status.dataset.state = 'waiting';
      status.textContent = ui.waiting;
    }
  } catch (error) {
    const problem = /** @type {Failure | undefined} */ (error)?.problem ?? {};
    status.dataset.state = 'error';
    status.replaceChildren(h('strong', {}, `${problem.title ?? `${ui.what.charAt(0).toUpperCase()}${ui.what.slice(1)} was not saved`}: `), problem.detail ?? String(error));
    button.disabled = false;
  }
}
