// @ts-check
// Builds DOM nodes. Every string becomes a text node or an attribute value,
// never markup: recipe text cannot turn into HTML or script here.

/**
 * What h() and svg() append: a node, or text (a number too); nothing for
 * null, undefined and false (so `cond && h(…)` works); arrays are flattened.
 * @typedef {Node | string | number | boolean | null | undefined | Child[]} Child
 */

/**
 * An element's attributes: `class` (a string, or a list whose empty entries
 * are dropped), `dataset`, `on<event>` listeners, and any other attribute
 * (true is present and empty; null, undefined and false are left out).
 * @typedef {{
 *   [name: string]: unknown,
 *   class?: string | (string | false | null | undefined)[],
 *   dataset?: Record<string, string>,
 *   onclick?: (event: MouseEvent) => unknown,
 *   onsubmit?: (event: SubmitEvent) => unknown,
 * }} Attrs
 */

/**
 * What a page answers: its content, its title, and whether it is an empty
 * state (app.js marks the page `data-state="empty"`).
 * @typedef {{ node: Node, title?: string, empty?: boolean }} PageView
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @param {Element} el
 * @param {Attrs | null | undefined} attrs
 */
function setAttributes(el, attrs) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value));
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (key === 'dataset') {
      Object.assign(/** @type {HTMLElement | SVGElement} */ (el).dataset, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function appendChildren(el, children) {
  // Typed as unknown[]: flattening the recursive Child type to any depth is
  // more than the checker can do.
  for (const child of /** @type {unknown[]} */ (children).flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * An HTML element: h('a', {href: '#/'}, 'Recipes').
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

/**
 * An SVG element, for charts.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Child} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

/**
 * Text only screen readers read (visual cues such as colour say it to the eye).
 * @param {string} text
 */
export function srOnly(text) {
  return h('span', { class: 'sr-only' }, text);
}

/**
 * A hash to a page of the dashboard: href(['recipes', id]) is '#/recipes/<id>'.
 * @param {string[]} parts
 */
export function href(parts) {
  return '#/' + parts.map((p) => encodeURIComponent(p)).join('/');
}

/**
 * A link to a page of the dashboard: link(['recipes', id], {}, 'Apple Pie').
 * @param {string[]} parts
 * @param {Attrs} attrs
 * @param {...Child} children
 */
export function link(parts, attrs, ...children) {
  return h('a', { ...attrs, href: href(parts) }, ...children);
}

/**
 * An empty state: what is missing, and what would fill it.
 * @param {string} title
 * @param {string} [hint]
 */
export function emptyState(title, hint) {
  return h('div', { class: 'state state--empty' }, h('p', { class: 'state__title' }, title), hint && h('p', {}, hint));
}

/**
 * Breadcrumbs: [[label, parts], …, label] (the last one is this page).
 * @param {[...[label: string, parts: string[]][], string]} items
 */
export function breadcrumbs(items) {
  const last = items.length - 1;
  return h(
    'nav',
    { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
    h(
      'ol',
      {},
      items.map((item, i) =>
        i === last
          ? h('li', {}, h('span', { 'aria-current': 'page' }, item))
          : h('li', {}, link(/** @type {[string, string[]]} */ (item)[1], {}, item[0])),
      ),
    ),
  );
}

/**
 * A panel: a section titled by its h2 (`id` names the heading).
 * @param {string} id
 * @param {string} title
 * @param {...Child} children
 */
export function panel(id, title, ...children) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/**
 * A form of the editor's kind (the browser's own validation off: the page says why).
 * @param {string} id
 * @param {...Child} children
 */
export function editorForm(id, ...children) {
  return h('form', { class: 'editor', id, novalidate: true }, ...children);
}

/**
 * A labelled control with an optional hint (the control's id names both).
 * @param {string} label
 * @param {HTMLElement} control
 * @param {string} [hint]
 */
export function field(label, control, hint) {
  return h('p', { class: 'field' }, h('label', { for: control.id }, label), control, hint && h('span', { class: 'field__hint', id: `${control.id}-hint` }, hint));
}
