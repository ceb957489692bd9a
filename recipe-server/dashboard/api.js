// @ts-check
// Reads the public API of this server (same origin, relative URLs so that
// a stage prefix works too). Errors carry the problem document's detail.
// The paths and bodies are typed in api-types.d.ts: a call to a path the
// API does not have, or a body read as another type, fails `tsc`.

/** @import { ListItem, ListPath, Page, Problem, ReadBody, ReadPath, StoredRejection, UploadRequest, Writes } from './api-types.js' */

import { authHeaders } from './auth.js';

/**
 * What a failure shows: the server's problem document, one the dashboard
 * writes itself, or what another answer's JSON held (so every field may be
 * missing).
 * @typedef {Partial<Problem>} ShownProblem
 */

/**
 * What the pages catch and show: an ApiError, a SignInError, or any other
 * error (then only `message`, if that).
 * @typedef {{ status?: number, problem?: ShownProblem, message?: string }} Failure
 */

export class ApiError extends Error {
  /**
   * @param {number} status The HTTP status; 0 when the server could not be reached.
   * @param {ShownProblem} problem
   */
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * The problem document of a failed answer, or a generic one.
 * @param {Response} response
 * @returns {Promise<ShownProblem>}
 */
async function problemOf(response) {
  /** @type {ShownProblem} */
  let problem = { title: response.statusText || 'Error', detail: `The server answered ${response.status}.` };
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      problem = await response.json();
    } catch {
      // Keep the generic problem.
    }
  }
  return problem;
}

/**
 * GETs `path` (relative to the page) with `params` as its query, leaving
 * out the ones that are null or undefined; answers the JSON body or throws
 * an ApiError.
 * @template {ReadPath} P
 * @param {P} path
 * @param {Record<string, string | number | null | undefined>} [params]
 * @returns {Promise<ReadBody<P>>}
 */
export async function get(path, params = {}) {
  const url = new URL(path, document.baseURI);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
  }
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json', ...authHeaders() } });
  } catch {
    throw new ApiError(0, {
      title: 'The server cannot be reached',
      detail: 'The dashboard could not reach the recipe server. Check that it is running, then try again.',
    });
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response.json();
}

/**
 * Every item of a paginated list (up to maxPages pages).
 * @template {ListPath} P
 * @param {P} path
 * @param {{ limit?: number, maxPages?: number }} [options]
 * @returns {Promise<ListItem<P>[]>}
 */
export async function getAll(path, { limit = 100, maxPages = 50 } = {}) {
  /** @type {ListItem<P>[]} */
  const items = [];
  /** @type {string | undefined} */
  let cursor;
  for (let page = 0; page < maxPages; page += 1) {
    // A list path's body is a page of its items; the checker cannot see
    // that through the conditional type while P is open.
    const body = /** @type {Page<ListItem<P>>} */ (/** @type {unknown} */ (await get(path, { limit, cursor })));
    items.push(...(body.items ?? []));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/**
 * A path segment of the API.
 * @param {string} text
 */
export function seg(text) {
  return encodeURIComponent(text);
}


/**
 * POSTs JSON to the API; answers the JSON answer or throws an ApiError.
 * @template {keyof Writes} P
 * @param {P} path
 * @param {Writes[P]['request']} body
 * @returns {Promise<Writes[P]['answer']>}
 */
export async function post(path, body) {
  let response;
  try {
    response = await fetch(new URL(path, document.baseURI), {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...authHeaders() },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { title: 'The server cannot be reached', detail: 'Check that the recipe server is running, then try again.' });
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response.json();
}

/**
 * Uploads `file` (a Blob) to the bucket as `fileName`, under makes/ or
 * recipes/ (`kind`): the server signs a form for exactly this upload, and
 * the file goes with the form to the bucket itself (S3 in AWS, this server's
 * folder locally). Answers the object key.
 * @param {UploadRequest['kind']} kind
 * @param {string} fileName
 * @param {Blob} file
 * @returns {Promise<string>}
 */
export async function upload(kind, fileName, file) {
  const form = await post('uploads', { kind, fileName });
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
  data.append('file', file, fileName);
  let response;
  try {
    // No credentials: the signed form is the upload's only authority.
    response = await fetch(new URL(form.url, document.baseURI), { method: 'POST', body: data, credentials: 'omit' });
  } catch {
    throw new ApiError(0, { title: 'The upload did not reach the bucket', detail: 'Check your connection, then save again.' });
  }
  if (!response.ok) {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) throw new ApiError(response.status, await problemOf(response));
    // S3 answers in XML: its <Code> and <Message> say why.
    const text = await response.text();
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? 'The bucket refused the upload.';
    throw new ApiError(response.status, { title: 'The bucket refused the upload', detail: `${message} (${code})`, code });
  }
  return form.key;
}

/**
 * Waits `ms` milliseconds.
 * @param {number} ms
 * @returns {Promise<void>}
 */
export function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Follows an upload through the chain: polls `found()` until it answers
 * something, or the rejections list holds one for `key` (answered as
 * { rejection }), or `seconds` pass (answered as { timedOut: true }).
 * A 404 from `found()` counts as nothing yet.
 * @template T
 * @param {string} key
 * @param {() => Promise<T | null>} found
 * @param {{ seconds?: number, every?: number }} [options]
 * @returns {Promise<{ result?: T, rejection?: StoredRejection, timedOut?: true }>}
 */
export async function follow(key, found, { seconds = 60, every = 700 } = {}) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const result = await found().catch((error) => {
      if (error?.status === 404) return null;
      throw error;
    });
    if (result) return { result };
    const rejections = await get('rejections', { limit: 100 });
    const rejection = (rejections.items ?? []).find((r) => r.objectKey === key);
    if (rejection) return { rejection };
    await pause(every);
  }
  return { timedOut: true };
}
