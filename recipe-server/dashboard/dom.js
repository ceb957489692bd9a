// Builds DOM nodes. Every string becomes a text node or an attribute value,
// never markup: recipe text cannot turn into HTML or script here.

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttributes(el, attrs) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: h('a', {href: '#/'}, 'Recipes'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

/** An SVG element, for charts. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

/** Text only screen readers read (visual cues such as colour say it to the eye). */
export function srOnly(text) {
  return h('span', { class: 'sr-only' }, text);
}

/** A hash link to a page of the dashboard: link(['recipes', id], 'Apple Pie'). */
export function href(parts) {
  return '#/' + parts.map((p) => encodeURIComponent(p)).join('/');
}

export function link(parts, attrs, ...children) {
  return h('a', { ...attrs, href: href(parts) }, ...children);
}

/** An empty state: what is missing, and what would fill it. */
export function emptyState(title, hint) {
  return h('div', { class: 'state state--empty' }, h('p', { class: 'state__title' }, title), hint && h('p', {}, hint));
}

/** Breadcrumbs: [[label, parts], …, label]. */
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
          : h('li', {}, link(item[1], {}, item[0])),
      ),
    ),
  );
}

/** A panel: a section titled by its h2 (`id` names the heading). */
export function panel(id, title, ...children) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** A form of the editor's kind (the browser's own validation off: the page says why). */
export function editorForm(id, ...children) {
  return h('form', { class: 'editor', id, novalidate: true }, ...children);
}

/** A labelled control with an optional hint (the control's id names both). */
export function field(label, control, hint) {
  return h('p', { class: 'field' }, h('label', { for: control.id }, label), control, hint && h('span', { class: 'field__hint', id: `${control.id}-hint` }, hint));
}
