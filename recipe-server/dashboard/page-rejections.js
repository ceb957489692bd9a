// @ts-check
// Uploads the chain could not accept, each with its reason.

/** @import { StoredRejection } from './api-types.js' */
/** @import { PageView } from './dom.js' */

import { get } from './api.js';
import { h, emptyState } from './dom.js';
import { dateTime, plural } from './format.js';

/** @param {StoredRejection} rejection */
function card(rejection) {
  return h(
    'li',
    { class: 'rejection', dataset: { code: rejection.code } },
    h(
      'div',
      { class: 'rejection__head' },
      h('h2', { class: 'rejection__title' }, h('span', { class: 'tag tag--removed' }, h('span', { class: 'tag__symbol', 'aria-hidden': 'true' }, '!'), 'rejected'), ' ', h('code', {}, rejection.code)),
      h('time', { class: 'muted', datetime: rejection.createdAt }, dateTime(rejection.createdAt)),
    ),
    h('p', { class: 'rejection__message' }, rejection.message),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Object key'), h('dd', {}, rejection.objectKey ? h('code', {}, rejection.objectKey) : h('span', { class: 'muted' }, 'not given'))),
      h('div', {}, h('dt', {}, 'Where in the file'), h('dd', {}, h('code', {}, rejection.path))),
      rejection.kind && h('div', {}, h('dt', {}, 'Upload'), h('dd', {}, rejection.kind)),
    ),
  );
}

/** @returns {Promise<PageView>} */
export async function rejectionsPage() {
  const first = await get('rejections', { limit: 50 });
  const header = h(
    'header',
    { class: 'page-header' },
    h('h1', {}, 'Rejected uploads'),
    h('p', { class: 'lede' }, 'Uploads the chain could not accept, with the reason and where in the file. Fix the file and upload it again under the same key.'),
  );
  if (!first.items?.length) {
    return {
      title: 'Rejected uploads',
      empty: true,
      node: h('div', {}, header, emptyState('No rejected uploads.', 'Every upload so far was accepted.')),
    };
  }
  const list = h('ol', { class: 'rejections' }, first.items.map(card));
  const count = h('p', { class: 'muted', role: 'status' }, plural(first.items.length, 'rejection') + (first.nextCursor ? ' so far' : ''));
  let cursor = first.nextCursor;
  const more = h('button', { type: 'button', class: 'button button--quiet', hidden: !cursor }, 'Show more');
  more.addEventListener('click', async () => {
    more.disabled = true;
    more.textContent = 'Loading…';
    try {
      const page = await get('rejections', { limit: 50, cursor });
      list.append(...page.items.map(card));
      cursor = page.nextCursor;
      count.textContent = plural(list.children.length, 'rejection') + (cursor ? ' so far' : '');
      more.textContent = 'Show more';
    } catch (error) {
      more.textContent = `Could not load more: ${/** @type {Error} */ (error).message}. Try again`;
    }
    more.disabled = false;
    more.hidden = !cursor;
  });
  return { title: 'Rejected uploads', node: h('div', {}, header, count, list, h('p', {}, more)) };
}
