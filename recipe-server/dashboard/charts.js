// @ts-check
// Charts as inline SVG built with DOM calls. Each has a title and a
// description for screen readers, text labels on every bar or point (so
// colour is never the only cue), and the numbers in a table beside it.

/** @import { Child } from './dom.js' */

import { h, svg } from './dom.js';
import { number, time } from './format.js';

let chartId = 0;

/**
 * A kind of segment in a bar chart (its CSS modifier), and its label.
 * @typedef {{ kind: string, label: string }} Kind
 */

/**
 * One bar: its label, and its segments by kind.
 * @typedef {{ label: string, segments: { kind: string, value: number }[] }} BarRow
 */

/**
 * A point of the rating chart: a rating at a time, and what it is the
 * rating of (a month's makes, say).
 * @typedef {{ label: string, at: string, rating: number }} RatingPoint
 */

/** The drawing width: the main column's, so text keeps its size on a phone. */
function widthFor(min = 280, max = 760) {
  const main = document.getElementById('main');
  const inner = main ? main.clientWidth - 48 : max;
  return Math.max(min, Math.min(max, Math.floor(inner)));
}

/**
 * An accessible SVG chart: `title` and `desc` name and describe it.
 * @param {number} width
 * @param {number} height
 * @param {string} title
 * @param {string} desc
 * @param {...Child} children
 */
function frame(width, height, title, desc, ...children) {
  const id = `chart-${(chartId += 1)}`;
  return svg(
    'svg',
    {
      class: 'chart',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
    },
    svg('title', { id: `${id}-title` }, title),
    svg('desc', { id: `${id}-desc` }, desc),
    ...children,
  );
}

/**
 * Horizontal bars, one per row, each split into segments by kind:
 * rows = [{label, segments: [{kind, value}]}], kinds = [{kind, label}].
 * @param {{ title: string, desc: string, rows: BarRow[], kinds: Kind[] }} chart
 */
export function barChart({ title, desc, rows, kinds }) {
  const width = widthFor();
  const rowHeight = 46;
  const top = 4;
  const max = Math.max(1, ...rows.map((r) => r.segments.reduce((n, s) => n + s.value, 0)));
  const valueRoom = 56;
  const scale = (width - valueRoom) / max;
  /** @type {Child[]} */
  const children = [];
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const total = row.segments.reduce((n, s) => n + s.value, 0);
    const room = Math.floor(width / 7.2);
    const label = row.label.length > room ? `${row.label.slice(0, room - 1)}…` : row.label;
    children.push(svg('text', { x: 0, y: y + 14, class: 'chart__label' }, label, label !== row.label && svg('title', {}, row.label)));
    let x = 0;
    const group = svg('g', { class: 'chart__bar' });
    for (const segment of row.segments) {
      if (segment.value <= 0) continue;
      const w = Math.max(2, segment.value * scale);
      const kindLabel = kinds.find((k) => k.kind === segment.kind)?.label ?? segment.kind;
      group.append(
        svg(
          'rect',
          { x, y: y + 21, width: w, height: 16, rx: 3, class: `chart__segment chart__segment--${segment.kind}` },
          svg('title', {}, `${row.label}: ${segment.value} ${kindLabel}`),
        ),
      );
      x += w + 1;
    }
    children.push(group);
    children.push(svg('text', { x: x + 6, y: y + 34, class: 'chart__value' }, String(total)));
  });
  return frame(width, top + rows.length * rowHeight, title, desc, ...children);
}

/**
 * The key to a bar chart's colours (hidden from screen readers: each
 * segment's title says its kind).
 * @param {Kind[]} kinds
 */
export function legend(kinds) {
  return h(
    'ul',
    { class: 'chart-legend', 'aria-hidden': 'true' },
    kinds.map((k) => h('li', {}, h('span', { class: `swatch chart__segment--${k.kind}` }), k.label)),
  );
}

/**
 * Ratings over time as points joined by a line, against the recipe's rating.
 * @param {{ title: string, desc: string, points: RatingPoint[], recipeRating?: number | null }} chart
 */
export function ratingChart({ title, desc, points, recipeRating }) {
  const width = widthFor();
  const height = 240;
  const m = { left: 34, right: 18, top: 18, bottom: 40 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const dated = points
    .map((p) => ({ ...p, t: time(p.at) }))
    .filter(/** @returns {p is RatingPoint & { t: number }} */ (p) => p.t !== null && typeof p.rating === 'number')
    .sort((a, b) => a.t - b.t);
  const first = dated[0];
  const last = dated[dated.length - 1];
  const t0 = first ? first.t : 0;
  const t1 = last ? last.t : 1;
  const x = (/** @type {number} */ t) => (t1 === t0 ? m.left + plotW / 2 : m.left + ((t - t0) / (t1 - t0)) * plotW);
  const y = (/** @type {number} */ r) => m.top + plotH - (Math.max(0, Math.min(5, r)) / 5) * plotH;
  /** @type {Child[]} */
  const children = [];
  for (let r = 0; r <= 5; r += 1) {
    children.push(svg('line', { x1: m.left, x2: width - m.right, y1: y(r), y2: y(r), class: 'chart__grid' }));
    children.push(svg('text', { x: m.left - 8, y: y(r) + 4, class: 'chart__axis', 'text-anchor': 'end' }, String(r)));
  }
  if (typeof recipeRating === 'number') {
    children.push(svg('line', { x1: m.left, x2: width - m.right, y1: y(recipeRating), y2: y(recipeRating), class: 'chart__reference' }));
    children.push(
      svg('text', { x: width - m.right, y: y(recipeRating) - 6, class: 'chart__reference-label', 'text-anchor': 'end' }, `recipe ★ ${number(recipeRating)}`),
    );
  }
  if (dated.length > 1) {
    children.push(svg('polyline', { points: dated.map((p) => `${x(p.t)},${y(p.rating)}`).join(' '), class: 'chart__line' }));
  }
  for (const p of dated) {
    const above = typeof recipeRating !== 'number' || p.rating >= recipeRating;
    children.push(
      svg(
        'g',
        { class: 'chart__point' },
        svg('circle', { cx: x(p.t), cy: y(p.rating), r: 5, class: above ? 'chart__dot chart__dot--up' : 'chart__dot chart__dot--down' }, svg('title', {}, `${p.label}: ★ ${number(p.rating)}`)),
        svg('text', { x: x(p.t), y: y(p.rating) - 10, class: 'chart__value', 'text-anchor': 'middle' }, number(p.rating)),
      ),
    );
  }
  if (first && last) {
    const ticks = dated.length === 1 ? [first] : [first, last];
    ticks.forEach((p, i) => {
      const anchor = dated.length === 1 ? 'middle' : i === 0 ? 'start' : 'end';
      children.push(svg('text', { x: x(p.t), y: height - 14, class: 'chart__axis', 'text-anchor': anchor }, p.label));
    });
  }
  return frame(width, height, title, desc, ...children);
}

/**
 * The numbers behind a chart, as a table in a disclosure (each row's first
 * cell heads it; numbers are aligned as numbers).
 * @param {string} caption
 * @param {string[]} headers
 * @param {(string | number)[][]} rows
 */
export function dataTable(caption, headers, rows) {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, 'Show the numbers'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table table--compact' },
        h('caption', { class: 'sr-only' }, caption),
        h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          rows.map((cells) => h('tr', {}, cells.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: typeof c === 'number' ? 'num' : '' }, String(c)))))),
        ),
      ),
    ),
  );
}
