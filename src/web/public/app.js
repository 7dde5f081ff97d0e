// The demo page: wires the three forms to the API, or to the engine in this browser, and
// shows answers and errors. The API base URL comes from the field (empty = this page's
// origin); ?api=URL pre-fills it and the last one used is remembered in localStorage.
// ?run=browser selects the browser mode, ?backend=wasm-simd (or js, wasm-relaxed) its kernels.
import { ApiError, callApi, endpoint } from './api.js';
import { classifyHere, downloaded, scoreHere } from './browser.js';
import { h, kimResult, pct, smResult } from './render.js';

const STORAGE_KEY = 'tinycnn.apiBase';
const $ = (id) => document.getElementById(id);

/** /health answers by API base, so labels are fetched once per API. */
const healthByBase = new Map();

const base = () => $('api-base').value.trim();
const query = new URLSearchParams(window.location.search);
const inBrowser = () => document.querySelector('input[name="where"][value="browser"]').checked;
const browserBackend = query.get('backend') ?? 'auto';

function start() {
  const fromQuery = query.get('api');
  if (query.get('run') === 'browser') document.querySelector('input[name="where"][value="browser"]').checked = true;
  $('api-base').value = fromQuery ?? remembered() ?? '';
  // Enter in the field fires "change" (when edited) and then "submit": both share one /health call,
  // and a failed check is forgotten, so pressing Connect again retries it.
  $('api-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void showHealth();
  });
  $('api-base').addEventListener('change', () => void showHealth());
  $('kim-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('kim-input').value;
    void run(
      'kim',
      '/kim',
      { input },
      () => classifyHere(input, browserBackend),
      'Classifying…',
      async (data, roundTripMs) => {
        const answer = withProbabilities(data, data.output);
        const labels = Array.isArray(data.labels) ? data.labels : (await health(base()).catch(() => undefined))?.models?.kim?.labels;
        const names = Array.isArray(labels) && labels.length === answer.probabilities.length ? labels : undefined;
        const name = names?.[answer.prediction] ?? answer.label ?? `class ${answer.prediction}`;
        return { nodes: kimResult(answer, names, roundTripMs), said: `Predicted class: ${name}, ${pct(answer.probabilities[answer.prediction])}` };
      },
    );
  });
  $('sm-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { sent1: $('sm-question').value, sent2: $('sm-answer').value };
    void run(
      'sm',
      '/sm',
      body,
      () => scoreHere(body.sent1, body.sent2, browserBackend),
      'Scoring…',
      async (data, roundTripMs) => {
        const answer = withProbabilities(data, Array.isArray(data.score) ? data.score[0] : undefined);
        return { nodes: smResult(answer, roundTripMs), said: `Relevance score ${answer.probabilities[1].toFixed(3)}` };
      },
    );
  });
  void showHealth();
}

/**
 * One request from a form, to the API or the engine in this browser: busy state, then the
 * answer (with who answered) or the error.
 * @param {'kim' | 'sm'} kind which section
 * @param {string} path API route
 * @param {object} body JSON body
 * @param {() => Promise<any>} here the same request answered in this browser
 * @param {string} busyText button text while waiting
 * @param {(data: any, roundTripMs: number) => Promise<{nodes: Node[], said: string}>} show
 */
async function run(kind, path, body, here, busyText, show) {
  const button = $(`${kind}-form`).querySelector('button[type="submit"]');
  const result = $(`${kind}-result`);
  const idle = button.textContent;
  if (button.disabled) return;
  button.disabled = true;
  button.textContent = busyText;
  result.setAttribute('aria-busy', 'true');
  try {
    const browser = inBrowser();
    const start = performance.now();
    const { data, roundTripMs } = browser ? { data: await here(), roundTripMs: 0 } : await callApi(base(), path, body);
    const elapsed = browser ? performance.now() - start : roundTripMs;
    const { nodes, said } = await show(data, elapsed);
    const who = browser ? 'this browser' : base() === '' ? `this server (${window.location.host})` : new URL(endpoint(base(), '/')).host;
    const by = h('p', { class: 'answered-by', id: `${kind}-by` }, 'Answered by ', h('strong', null, who), ` (${data.backend ?? 'backend not reported'})`);
    by.dataset.where = browser ? 'browser' : 'server';
    result.replaceChildren(by, ...nodes);
    result.dataset.answer = JSON.stringify(data); // the answer as received or computed (logits included), for tests and the curious
    result.hidden = false;
    $(`${kind}-error`).hidden = true;
    $('live').textContent = `${said} (answered by ${who})`;
    if (browser) void showDownloads(data.loadMs);
    else remember(base());
  } catch (error) {
    result.hidden = true;
    showError($(`${kind}-error`), error);
  } finally {
    button.disabled = false;
    button.textContent = idle;
    result.removeAttribute('aria-busy');
  }
}

/**
 * castorini's own API answers logits only: add softmax probabilities and argmax when missing.
 * @param {any} data the answer
 * @param {unknown} logits its logits
 */
function withProbabilities(data, logits) {
  if (Array.isArray(data.probabilities) && data.probabilities.every(Number.isFinite)) {
    return Number.isInteger(data.prediction) ? data : { ...data, prediction: argmax(data.probabilities) };
  }
  if (!Array.isArray(logits) || logits.length === 0 || !logits.every(Number.isFinite)) {
    throw new ApiError('The answer has neither probabilities nor logits; is this a tinycnn or castorini API?', { url: '' });
  }
  const top = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  const probabilities = exps.map((e) => e / sum);
  return { ...data, probabilities, prediction: Number.isInteger(data.prediction) ? data.prediction : argmax(probabilities) };
}

const argmax = (values) => values.reduce((best, v, i) => (v > values[best] ? i : best), 0);

/** GET /health of an API, once per base URL. */
function health(apiBase) {
  if (!healthByBase.has(apiBase)) {
    const pending = callApi(apiBase, '/health', undefined).then((r) => r.data);
    pending.catch(() => healthByBase.delete(apiBase));
    healthByBase.set(apiBase, pending);
  }
  return healthByBase.get(apiBase);
}

/** The API box's status line: what the API serves, or why it cannot be used. */
async function showHealth() {
  const status = $('api-status');
  const apiBase = base();
  let where;
  try {
    where = apiBase === '' ? `this server (${window.location.host})` : new URL(endpoint(apiBase, '/')).host;
  } catch (error) {
    status.className = 'status bad';
    status.textContent = error.message;
    return;
  }
  status.className = 'status';
  status.textContent = `Checking ${where}…`;
  try {
    const data = await health(apiBase);
    if (base() !== apiBase) return;
    const models = Object.entries(data.models ?? {}).map(([kind, m]) => `${m.title ?? kind} (${m.file ?? '?'})`);
    const limit = data.limits?.max_tokens ? `; at most ${data.limits.max_tokens} tokens per text` : '';
    status.className = 'status ok';
    status.replaceChildren(
      'Connected to ',
      where,
      ': backend ',
      h('strong', { id: 'api-backend' }, String(data.backend ?? 'not reported')),
      `; ${models.join(' and ') || 'no models listed'}${limit}.`,
    );
    remember(apiBase);
  } catch (error) {
    if (base() !== apiBase) return;
    const noHealth = error instanceof ApiError && error.status === 404;
    status.className = noHealth ? 'status' : 'status bad';
    status.textContent = noHealth
      ? `${where} has no /health route (castorini's original handler?): classes will show as numbers.`
      : `${error.message}${error.hint ? ` ${error.hint}` : ''}`;
  }
}

/** The browser mode's status line: what the page downloaded for it so far. */
async function showDownloads(loadMs) {
  const d = await downloaded();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const status = $('browser-status');
  status.hidden = false;
  status.className = 'status ok';
  status.textContent =
    `Running in this browser. Downloaded so far: engine ${kb(d.engine)}, weights ${kb(d.weights)}, ` +
    `word vectors ${kb(d.vectors)} (index ${kb(d.vectorIndex)}, rows ${kb(d.vectors - d.vectorIndex)}) in ${d.vectorRequests} range requests, of ${kb(d.vectorFileBytes)} in the files` +
    (loadMs > 1 ? `; loading took ${loadMs.toFixed(0)} ms.` : '.');
  status.dataset.downloaded = JSON.stringify(d);
}

/** An error box: what happened, then the HTTP status, the API's code and a hint. */
function showError(box, error) {
  const api = error instanceof ApiError;
  const lead = !api ? 'Something went wrong: ' : error.status >= 500 ? 'The server failed: ' : error.status >= 400 ? 'The API refused the request: ' : '';
  const details = api ? [error.status ? `HTTP ${error.status}` : '', error.code ?? '', error.hint ?? ''].filter((s) => s !== '') : [];
  box.replaceChildren(
    h('p', { class: 'error-message' }, lead ? h('strong', null, lead) : null, error.message),
    details.length > 0 ? h('p', { class: 'error-details' }, details.join(' · ')) : null,
  );
  box.hidden = false;
}

function remembered() {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function remember(apiBase) {
  try {
    window.localStorage.setItem(STORAGE_KEY, apiBase);
  } catch {
    // private mode or storage disabled: the field still works
  }
}

start();
