// Reads the public API of this server (same origin, relative URLs so that
// a stage prefix works too). Errors carry the problem document's detail.

import { authHeaders } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function get(path, params = {}) {
  const url = new URL(path, document.baseURI);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(key, value);
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
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    let problem = { title: response.statusText || 'Error', detail: `The server answered ${response.status}.` };
    if (type.includes('json')) {
      try {
        problem = await response.json();
      } catch {
        // Keep the generic problem.
      }
    }
    throw new ApiError(response.status, problem);
  }
  return response.json();
}

/** Every item of a paginated list (up to maxPages pages). */
export async function getAll(path, { limit = 100, maxPages = 50 } = {}) {
  const items = [];
  let cursor;
  for (let page = 0; page < maxPages; page += 1) {
    const body = await get(path, { limit, cursor });
    items.push(...(body.items ?? []));
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return items;
}

/** A path segment of the API. */
export function seg(text) {
  return encodeURIComponent(text);
}
