// The inputs `npm run bench:runtimes` times on every runtime, and the summary of a list of times.

/** A 20-token sentence of words the shipped Kim store knows (ptb tokens). */
export const KIM_TEXT = 'a warm , funny and engaging film that knows exactly when to stop and what it wants to say .';
/** A question and an answer of about 20 tokens each. */
export const SM_QUESTION = 'what is the name of the river that flows through the capital city of france and into the sea ?';
export const SM_ANSWER = 'the seine is a river in northern france that flows through paris and reaches the english channel .';

/**
 * Calls `fn` for about `budgetMs` (at least 200 calls) after 50 warm-up calls, awaiting it when it returns a promise.
 * @returns {Promise<{ p50: number, p90: number, min: number, n: number }>} microseconds per call
 */
export async function timeLoop(fn, budgetMs) {
  const call = async () => {
    const r = fn();
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') await r; // a sync call is not made to wait a tick
  };
  for (let i = 0; i < 50; i++) await call();
  const times = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || times.length < 200) {
    const t = performance.now();
    await call();
    times.push((performance.now() - t) * 1000);
  }
  return summarise(times);
}

/** p50, p90, min and count of a list of times. */
export function summarise(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), min: sorted[0], n: sorted.length };
}
