// DOM for the answers: probability bars, tokens with the unknown ones marked,
// the relevance score and the timing split. Text from the API only ever goes
// through textContent, never innerHTML.

/**
 * An element with attributes and children (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, string> | null} attrs
 * @param {...(Node | string | null | undefined)} children
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) el.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined) el.append(child);
  return el;
}

export const pct = (p) => `${(p * 100).toFixed(1)}%`;

/**
 * Kim CNN's answer.
 * @param {any} data the API's answer
 * @param {string[] | undefined} labels class names from /health (index = class)
 * @param {number} roundTripMs measured in the browser
 */
export function kimResult(data, labels, roundTripMs) {
  const probs = data.probabilities;
  const names = probs.map((_, i) => labels?.[i] ?? (i === data.prediction && typeof data.label === 'string' ? data.label : `class ${i}`));
  const predicted = names[data.prediction];
  const bars = h('ul', { class: 'bars', 'aria-label': 'Class probabilities' }, ...probs.map((p, i) => bar(names[i], p, i === data.prediction)));
  return [
    h(
      'p',
      { class: 'verdict' },
      'Predicted class: ',
      h('strong', { id: 'kim-label' }, predicted),
      ' ',
      h('span', { class: 'muted' }, `(${pct(probs[data.prediction])}, class index ${data.prediction})`),
    ),
    h('h3', null, 'Class probabilities'),
    bars,
    ...tokenBlock('Tokens', data.tokens, data.unknown_tokens),
    ...timing(data, roundTripMs),
  ];
}

/**
 * SM CNN's answer: the relevance score is the probability of class 1.
 * @param {any} data the API's answer
 * @param {number} roundTripMs measured in the browser
 */
export function smResult(data, roundTripMs) {
  const score = data.probabilities[1];
  const logits = Array.isArray(data.score) ? data.score[0] : undefined;
  const relevant = data.prediction === 1;
  return [
    h(
      'p',
      { class: 'verdict' },
      'Relevance score: ',
      h('strong', { id: 'sm-score', class: 'score' }, score.toFixed(3)),
      ' ',
      h('span', { class: 'muted' }, relevant ? '(judged relevant: class 1)' : '(judged not relevant: class 0)'),
    ),
    h('div', { class: 'meter', 'aria-hidden': 'true' }, fill('meter-fill', score)),
    h(
      'p',
      { class: 'muted small' },
      `Probability that the answer fits the question. Logits (class 0, class 1): ${logits ? logits.map((v) => v.toFixed(4)).join(', ') : 'not given'}.`,
    ),
    ...tokenBlock('Question tokens', data.tokens?.sent1, data.unknown_tokens?.sent1),
    ...tokenBlock('Answer tokens', data.tokens?.sent2, data.unknown_tokens?.sent2),
    ...timing(data, roundTripMs),
  ];
}

/** One labelled bar: name, track with a fill as wide as the probability, percentage. */
function bar(name, p, predicted) {
  return h(
    'li',
    { class: predicted ? 'bar predicted' : 'bar' },
    h('span', { class: 'bar-name' }, name, predicted ? h('span', { class: 'visually-hidden' }, ' (predicted)') : null),
    h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill('bar-fill', p)),
    h('span', { class: 'bar-value' }, pct(p)),
  );
}

function fill(cls, p) {
  const el = h('span', { class: cls });
  el.style.width = `${Math.max(0, Math.min(1, p)) * 100}%`;
  return el;
}

/** The tokens the model saw, unknown ones marked (and said, not only coloured). */
function tokenBlock(title, tokens, unknown) {
  if (!Array.isArray(tokens)) return [];
  const missing = new Set(Array.isArray(unknown) ? unknown : []);
  const count = tokens.filter((t) => missing.has(t)).length;
  const note = count === 0 ? 'every word has a vector' : `${count} of ${tokens.length} without a word vector, highlighted`;
  const list = h('ul', { class: 'tokens', 'aria-label': title });
  for (const token of tokens) {
    list.append(
      missing.has(token)
        ? h(
            'li',
            null,
            h('mark', { class: 'tok unknown', title: 'no word vector: the model sees zeros' }, token, h('span', { class: 'visually-hidden' }, ' (unknown)')),
          )
        : h('li', null, h('span', { class: 'tok' }, token)),
    );
  }
  return [h('h3', null, title, ' ', h('span', { class: 'muted' }, `(${note})`)), list];
}

/** Seconds (castorini's unit) -> "1.23 ms". */
function ms(seconds) {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? `${(seconds * 1000).toFixed(2)} ms` : 'not reported';
}

/** The function's timing split as a stacked bar and a list, plus backend and model. */
function timing(data, roundTripMs) {
  const overall = data.t_overall;
  const parts = [
    ['embed', 'Embedding', 'tokens to word vectors', data.t_sent_embedding],
    ['infer', 'Inference', 'forward pass and softmax', data.t_inference],
  ];
  const split = h('div', { class: 'split', 'aria-hidden': 'true' });
  if (typeof overall === 'number' && overall > 0) {
    for (const [cls, , , t] of parts) if (typeof t === 'number') split.append(fill(`seg ${cls}`, t / overall));
  }
  const row = (name, detail, value, cls) =>
    h('div', null, h('dt', null, name, detail ? h('span', { class: 'muted' }, ` (${detail})`) : null), h('dd', cls ? { class: cls } : null, value));
  const backend = typeof data.backend === 'string' ? data.backend : 'not reported by this API';
  return [
    h('h3', null, 'Timing'),
    split,
    h(
      'dl',
      { class: 'timing' },
      ...parts.map(([cls, name, detail, t]) => row(h('span', { class: `key ${cls}` }, name), detail, ms(t), `t-${cls}`)),
      typeof overall === 'number' && parts.every(([, , , t]) => typeof t === 'number')
        ? row(
            h('span', { class: 'key other' }, 'Other'),
            'parsing, routing, JSON',
            ms(Math.max(0, overall - data.t_sent_embedding - data.t_inference)),
            't-other',
          )
        : null,
      row('Overall', 'in the function', ms(overall), 't-overall'),
      row('Round trip', 'measured by this browser', `${roundTripMs.toFixed(1)} ms`, 't-round-trip'),
      row('Backend', 'kernel flavour', backend, 'backend'),
      typeof data.model === 'string' ? row('Weights', null, data.model, 'wrap') : null,
      typeof data.cold_start === 'boolean' ? row('Cold start', null, data.cold_start ? 'yes (first request of this instance)' : 'no') : null,
    ),
  ];
}
