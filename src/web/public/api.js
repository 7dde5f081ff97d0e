// Calls tinycnn's HTTP API (the local server or a deployed function) and turns
// every way a call can fail into an ApiError whose message a person can act on.

/** A failed call: `message` is for people; status/code are set when the API answered. */
export class ApiError extends Error {
  /**
   * @param {string} message what went wrong
   * @param {{url: string, status?: number, code?: string, hint?: string}} details
   */
  constructor(message, details) {
    super(message);
    this.name = 'ApiError';
    this.url = details.url;
    this.status = details.status;
    this.code = details.code;
    this.hint = details.hint;
  }
}

/** Hints for the error codes a person can fix (see src/lambda/http.ts for the list). */
const HINTS = {
  EMPTY_TEXT: 'Type some text first.',
  NO_TOKENS: 'Type at least one word.',
  TOO_MANY_TOKENS: 'Shorten the text.',
  BODY_TOO_LARGE: 'Shorten the text.',
  NOT_FOUND: 'This API does not serve that model or route.',
  VECTORS_UNAVAILABLE: 'The word-vector store is unavailable; try again.',
  VECTORS_TIMEOUT: 'The word-vector store is slow; try again.',
};

const TIMEOUT_MS = 15000;

/**
 * The URL of a route under the API base ('' = this page's origin).
 * @param {string} base e.g. '' or 'https://abc.execute-api.us-east-1.amazonaws.com/prod'
 * @param {string} path e.g. '/kim'
 */
export function endpoint(base, path) {
  const trimmed = base.trim().replace(/\/+$/, '');
  if (trimmed === '') return new URL(path, window.location.origin).href;
  let url;
  try {
    url = new URL(trimmed);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ApiError(`The API base URL must be an http:// or https:// address, not "${trimmed}".`, {
      url: trimmed,
      hint: 'Fix it in the API box, or leave it empty for this server.',
    });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}${path}`;
}

/**
 * One call. Resolves with the parsed JSON body and the browser's round-trip time.
 * @param {string} base API base URL
 * @param {string} path route
 * @param {object | undefined} body JSON body (POST), or undefined (GET)
 * @returns {Promise<{data: any, roundTripMs: number}>}
 */
export async function callApi(base, path, body) {
  const url = endpoint(base, path);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  const start = performance.now();
  let response;
  try {
    response = await fetch(
      url,
      body === undefined
        ? { method: 'GET', signal: controller.signal }
        : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: controller.signal },
    );
  } catch {
    if (controller.signal.aborted)
      throw new ApiError(`${url} did not answer within ${TIMEOUT_MS / 1000} s.`, { url, hint: 'The server may be overloaded or stuck; try again.' });
    throw new ApiError(`cannot reach ${url}: nothing answered.`, {
      url,
      hint:
        base.trim() === ''
          ? 'Is the local server running? Start it with npm start.'
          : "Check the address. A deployed API must also allow this page's origin (CORS).",
    });
  } finally {
    clearTimeout(timer);
  }
  const text = await response.text().catch(() => '');
  const roundTripMs = performance.now() - start;
  const data = parseJson(text);
  if (!response.ok) throw httpError(url, response.status, response.statusText, data, text);
  if (data === undefined || typeof data !== 'object' || data === null) {
    throw new ApiError(`${url} answered HTTP ${response.status} but not with JSON.`, {
      url,
      status: response.status,
      hint: 'Is the API base URL the API, not a web page?',
    });
  }
  return { data, roundTripMs };
}

/** The message of an error answer: ours ({"error": {code, message}}), API Gateway's ({"message"}), or its text. */
function httpError(url, status, statusText, data, text) {
  const error = data && typeof data === 'object' ? data.error : undefined;
  if (error && typeof error === 'object' && typeof error.message === 'string') {
    const code = typeof error.code === 'string' ? error.code : undefined;
    return new ApiError(error.message, { url, status, code, hint: HINTS[code] ?? (status >= 500 ? 'The server failed; its log has the details.' : undefined) });
  }
  if (data && typeof data === 'object' && typeof data.message === 'string') {
    const hint = status === 413 ? 'Shorten the text.' : status === 403 || status === 404 ? 'Check the API base URL (stage and route).' : undefined;
    return new ApiError(data.message, { url, status, hint });
  }
  const snippet = text.trim().slice(0, 200);
  return new ApiError(`HTTP ${status} ${statusText}${snippet ? `: ${snippet}` : ''}`.trim(), { url, status });
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
