// @ts-check
// "Add a recipe": a link to a recipe page (the server fetches it into the
// bucket, POST /imports), a .json, .jsonld or saved .html recipe page, or
// pasted JSON-LD, uploaded into the bucket under recipes/ through a signed
// form, as a make is. The page then follows it through the chain: it opens
// the stored recipe (the one that is new, or has a new version, since the
// upload began), or says why the chain refused it.

/** @import { Failure } from './api.js' */
/** @import { PageView } from './dom.js' */

import { follow, getAll, post, upload } from './api.js';
import { h, breadcrumbs, editorForm, field, href, panel } from './dom.js';

const ACCEPT = '.json,.jsonld,.html,.htm';
const NAME = /^[\p{L}\p{N} ._()-]+\.(json|jsonld|html|htm)$/iu;

/**
 * A file name the server signs forms for: the chosen file's, made plain.
 * @param {string} name
 * @returns {string | null}
 */
function plainName(name) {
  const cleaned = name.replace(/[^\p{L}\p{N} ._()-]/gu, ' ').replace(/^[.\s]+/, '').slice(-100);
  return NAME.test(cleaned) ? cleaned : null;
}

/** Each recipe's current version, by id: what an upload is compared with. */
async function versionsNow() {
  const recipes = await getAll('recipes');
  return new Map(recipes.map((r) => [r.recipeId, r.currentVersion]));
}

/**
 * A recipe that is new since `before`, or has a new current version.
 * @param {Map<string, number>} before Each recipe's current version, by id.
 */
async function changedSince(before) {
  const recipes = await getAll('recipes');
  return (
    recipes.find((r) => {
      const was = before.get(r.recipeId);
      return was === undefined || was < r.currentVersion;
    }) ?? null
  );
}

/** @returns {Promise<PageView>} */
export async function addRecipePage() {
  const link = h('input', { type: 'url', id: 'recipe-link', inputmode: 'url', placeholder: 'https://', 'aria-describedby': 'recipe-link-hint' });
  const file = h('input', { type: 'file', id: 'recipe-file', accept: ACCEPT, 'aria-describedby': 'recipe-file-hint' });
  const pasted = h('textarea', { id: 'recipe-paste', rows: 8, spellcheck: 'false', 'aria-describedby': 'recipe-paste-hint' });
  const status = h('div', { class: 'editor__status', role: 'status', 'aria-live': 'polite', id: 'add-status' });
  const submit = h('button', { type: 'submit', class: 'button', id: 'add-recipe' }, 'Add the recipe');

  const form = editorForm(
    'add-form',
    panel(
      'h-add-link',
      'From a link',
      field('A recipe page’s address', link, 'The server fetches the page and reads its recipe.'),
    ),
    panel(
      'h-add-file',
      'Or from a file',
      field('A recipe file', file, 'A .json or .jsonld recipe, or a recipe page saved from your browser (.html).'),
    ),
    panel(
      'h-add-paste',
      'Or paste it',
      field('Recipe JSON or JSON-LD', pasted, 'Used when no link or file is given.'),
    ),
    h('p', { class: 'editor__save' }, submit),
    status,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    /** @type {Blob | null} */
    let body = null;
    /** @type {string | null} */
    let name = null;
    const address = link.value.trim();
    const chosen = file.files?.[0];
    if (address) {
      if (!/^https?:\/\/\S+$/i.test(address)) {
        status.dataset.state = 'invalid';
        status.textContent = 'Give the page’s address, starting with https:// or http://.';
        return;
      }
    } else if (chosen) {
      name = plainName(chosen.name);
      if (!name) {
        status.dataset.state = 'invalid';
        status.textContent = 'Choose a file ending in .json, .jsonld, .html or .htm.';
        return;
      }
      body = chosen;
    } else {
      const text = pasted.value.trim();
      try {
        JSON.parse(text);
      } catch (error) {
        status.dataset.state = 'invalid';
        status.textContent = text ? `The pasted text is not JSON: ${/** @type {SyntaxError} */ (error).message}` : 'Choose a file or paste a recipe first.';
        return;
      }
      name = `pasted-${Date.now()}.jsonld`;
      body = new Blob([text], { type: 'application/ld+json' });
    }
    if (body && body.size === 0) {
      status.dataset.state = 'invalid';
      status.textContent = 'The file is empty.';
      return;
    }
    submit.disabled = true;
    status.dataset.state = 'saving';
    status.textContent = address ? 'Fetching the page…' : 'Uploading the recipe…';
    try {
      const before = await versionsNow();
      const key = body && name ? await upload('recipe', name, body) : (await post('imports', { url: address })).key;
      status.textContent = 'Uploaded. Waiting for the chain to read and store it…';
      const outcome = await follow(key, () => changedSince(before));
      if (outcome.result) {
        status.dataset.state = 'stored';
        location.hash = href(['recipes', outcome.result.recipeId]);
      } else if (outcome.rejection) {
        const r = outcome.rejection;
        status.dataset.state = 'rejected';
        status.replaceChildren(h('strong', {}, 'The chain refused this recipe: '), r.message, r.path && r.path !== '$' ? ` (${r.path})` : '', ` [${r.code}]`);
      } else {
        status.dataset.state = 'waiting';
        status.textContent = 'The recipe is uploaded but not stored yet; it appears in the list when the chain has read it.';
      }
    } catch (error) {
      const problem = /** @type {Failure | undefined} */ (error)?.problem ?? {};
      status.dataset.state = 'error';
      status.replaceChildren(h('strong', {}, `${problem.title ?? 'The recipe was not added'}: `), problem.detail ?? String(error));
    } finally {
      submit.disabled = false;
    }
  });

  const header = h(
    'header',
    { class: 'page-header' },
    breadcrumbs([['Recipes', []], 'Add a recipe']),
    h('h1', {}, 'Add a recipe'),
    h('p', { class: 'lede' }, 'It goes into the bucket under recipes/, and the chain reads it like any other upload.'),
  );
  return { title: 'Add a recipe', node: h('div', {}, header, form) };
}
