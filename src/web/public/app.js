// The demo page: wires the three forms to the API and shows answers and errors.
// The API base URL comes from the field (empty = this page's origin); ?api=URL
// pre-fills it and the last one used is remembered in localStorage.
import { ApiError, callApi, endpoint } from './api.js';
import { h, kimResult, pct, smResult } from './render.js';

const STORAGE_KEY = 'tinycnn.apiBase';
const $ = (id) => document.getElementById(id);

/** /health answers by API base, so labels are fetched once per API. */
const healthByBase = new Map();

const base = () => $('api-base').value.trim();

function start() {
  const fromQuery = new URLSearchParams(window.location.search).get('api');
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
    void run('kim', '/kim', { input: $('kim-input').value }, 'Classifying…', async (data, roundTripMs) => {
      const answer = withProbabilities(data, data.output);
      const labels = (await health(base()).catch(() => undefined))?.models?.kim?.labels;
      const names = Array.isArray(labels) && labels.length === answer.probabilities.length ? labels : undefined;
      const name = names?.[answer.prediction] ?? answer.label ?? `class ${answer.prediction}`;
      return { nodes: kimResult(answer, names, roundTripMs), said: `Predicted class: ${name}, ${pct(answer.probabilities[answer.prediction])}` };
    });
  });
  $('sm-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { sent1: $('sm-question').value, sent2: $('sm-answer').value };
    void run('sm', '/sm', body, 'Scoring…', async (data, roundTripMs) => {
      const answer = withProbabilities(data, Array.isArray(data.score) ? data.score[0] : undefined);
      return { nodes: smResult(answer, roundTripMs), said: `Relevance score ${answer.probabilities[1].toFixed(3)}` };
    });
  });
  void showHealth();
}

/**
 * One request from a form: busy state, then the answer or the error.
 * @param {'kim' | 'sm'} kind which section
 * @param {string} path API route
 * @param {object} body JSON body
 * @param {string} busyText button text while waiting
 * @param {(data: any, roundTripMs: number) => Promise<{nodes: Node[], said: string}>} show
 */
async function run(kind, path, body, busyText, show) {
  const button = $(`${kind}-form`).querySelector('button[type="submit"]');
  const result = $(`${kind}-result`);
  const idle = button.textContent;
  if (button.disabled) return;
  button.disabled = true;
  button.textContent = busyText;
  result.setAttribute('aria-busy', 'true');
  try {
    const { data, roundTripMs } = await callApi(base(), path, body);
    const { nodes, said } = await show(data, roundTripMs);
    result.replaceChildren(...nodes);
    result.hidden = false;
    $(`${kind}-error`).hidden = true;
    $('live').textContent = said;
    remember(base());
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
    status.replaceChildren('Connected to ', where, ': backend ', h('strong', { id: 'api-backend' }, String(data.backend ?? 'not reported')), `; ${models.join(' and ') || 'no models listed'}${limit}.`);
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
