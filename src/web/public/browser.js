// "Run in this browser": the engine (/engine/tinycnn.js, the package's browser bundle), the
// shipped weights and word vectors over HTTP, no server in the answer's path. The weight files
// are fetched whole; the vector stores are read by Range request, the index once and then only
// the pages of the rows a text needs. Answers have the API's fields, so the page shows them the
// same way.

let engine; // the loaded module
const pipelines = new Map(); // 'kim' | 'sm' -> Promise of the pipeline

/**
 * The engine module, loaded once.
 * @returns {Promise<any>}
 */
function loadEngine() {
  engine ??= import('/engine/tinycnn.js');
  return engine;
}

/**
 * A pipeline, loaded on first use.
 * @param {'kim' | 'sm'} kind
 * @param {string} backend 'auto' or a flavour (?backend= on the page's URL)
 */
function pipelineOf(kind, backend) {
  if (!pipelines.has(kind)) {
    const pending = loadEngine().then((tinycnn) =>
      tinycnn.fetchPipeline(kind === 'kim' ? 'sentiment-analysis' : 'answer-selection', { baseUrl: new URL('/', window.location.href), backend }),
    );
    pending.catch(() => pipelines.delete(kind));
    pipelines.set(kind, pending);
  }
  return pipelines.get(kind);
}

/**
 * Kim CNN in this browser, answered with the API's fields.
 * @param {string} input the sentence
 * @param {string} backend 'auto' or a flavour
 */
export async function classifyHere(input, backend) {
  const start = performance.now();
  const classifier = await pipelineOf('kim', backend);
  const began = performance.now();
  const timings = { embedMs: 0, inferenceMs: 0 };
  const r = await classifier.classifyAsync(input, { fields: ['input'], timings });
  return {
    input,
    prediction: r.prediction,
    output: r.logits,
    probabilities: r.probabilities,
    label: r.label,
    tokens: r.tokens,
    unknown_tokens: r.unknown,
    ...times(timings, began),
    backend: classifier.model.flavour,
    model: shortName(classifier.model.file),
    labels: classifier.labels,
    loadMs: began - start,
  };
}

/**
 * SM CNN in this browser, answered with the API's fields.
 * @param {string} sent1 the question
 * @param {string} sent2 the candidate answer
 * @param {string} backend 'auto' or a flavour
 */
export async function scoreHere(sent1, sent2, backend) {
  const start = performance.now();
  const ranker = await pipelineOf('sm', backend);
  const began = performance.now();
  const timings = { embedMs: 0, inferenceMs: 0 };
  const [r] = await ranker.scorePairsAsync([{ question: sent1, answer: sent2 }], { fields: [{ question: 'sent1', answer: 'sent2' }], timings });
  return {
    sent1,
    sent2,
    score: [r.logits],
    prediction: r.prediction,
    probabilities: r.probabilities,
    label: r.label,
    tokens: { sent1: r.tokens.question, sent2: r.tokens.answer },
    unknown_tokens: { sent1: r.unknown.question, sent2: r.unknown.answer },
    ...times(timings, began),
    backend: ranker.model.flavour,
    model: shortName(ranker.model.file),
    loadMs: began - start,
  };
}

/**
 * What this page has downloaded for the browser mode so far, from the Resource Timing entries
 * (body bytes as sent, per kind of file) and the vector stores' own counters.
 * @returns {Promise<{engine: number, weights: number, vectors: number, vectorIndex: number, vectorRequests: number, vectorFileBytes: number}>}
 */
export async function downloaded() {
  const sum = (filter) =>
    performance
      .getEntriesByType('resource')
      .filter((e) => filter(new URL(e.name).pathname))
      .reduce((n, e) => n + e.encodedBodySize, 0);
  let vectors = 0;
  let vectorIndex = 0;
  let vectorRequests = 0;
  let vectorFileBytes = 0;
  for (const pending of pipelines.values()) {
    const store = (await pending.catch(() => undefined))?.vectors;
    if (store?.fetched) {
      vectors += store.fetched.bytes;
      vectorIndex += store.opened.bytes;
      vectorRequests += store.fetched.requests;
      vectorFileBytes += store.fileBytes;
    }
  }
  return {
    engine: sum((p) => p === '/engine/tinycnn.js'),
    weights: sum((p) => p.endsWith('.safetensors')),
    vectors,
    vectorIndex,
    vectorRequests,
    vectorFileBytes,
  };
}

function times(timings, began) {
  return { t_overall: (performance.now() - began) / 1000, t_sent_embedding: timings.embedMs / 1000, t_inference: timings.inferenceMs / 1000, t_load_model: 0 };
}

function shortName(url) {
  return url.slice(url.lastIndexOf('/') + 1);
}
