// @ts-check
// How a recipe evolves from the dashboard: a make adopted as the next
// version, an earlier version restored, a variant saved. Each is a recipe
// document uploaded into the bucket under recipes/ through a signed form,
// as every write is, then followed through the chain until it is stored
// (or refused, with the chain's reason).

/** @import { CanonicalRecipe, SeedDocument, StoredRejection } from './api-types.js' */

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
 * What a status box says of a refused upload: the chain's reason, its
 * place in the document and its code.
 * @param {string} what
 * @param {StoredRejection} rejection
 */
export function refusedNote(what, rejection) {
  const r = rejection;
  return [h('strong', {}, `The chain refused ${what}: `), r.message, r.path && r.path !== '$' ? ` (${r.path})` : '', ` [${r.code}]`];
}
