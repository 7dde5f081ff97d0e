/**
 * Compares what runner.mjs wrote on the host's x86_64 Node (A) and on another Node (B: arm64
 * in qemu, or another x86_64 Node major):
 *   - the same kernel flavour on both sides: float32 bit patterns must be identical,
 *     golden inputs and sentences alike (relaxed SIMD only when the x86 CPU has FMA, as
 *     relaxed_madd then fuses on both sides: vfmadd on x86, fmla on arm64);
 *   - index.handler's own flavour on each side (auto): bit-for-bit when both picked the same,
 *     else within the golden tolerance, |b - a| <= tol * (1 + |a|);
 *   - every flavour of B against the fixtures' PyTorch logits, within the same tolerance.
 * Every check returns a line; the caller prints them and the totals.
 */
import { FLAVOURS } from './cases.mjs';

/**
 * @typedef {object} Check
 * @property {string} name
 * @property {boolean} ok
 * @property {string} detail
 */

/** Running totals over all comparisons between the two sides. */
export class Totals {
  compared = 0;
  identical = 0;
  /** Largest |b - a| / (1 + |a|) between the sides. */
  worst = 0;
  /** Largest |B - PyTorch| / (1 + |PyTorch|). */
  worstPytorch = 0;
}

const f32 = new Float32Array(2);
const u32 = new Uint32Array(f32.buffer);

/** Whether two logits have the same float32 bit pattern (both must be exact float32 values). */
function sameBits(a, b) {
  if (Math.fround(a) !== a || Math.fround(b) !== b) return false; // a logit that is not a float32: never "identical"
  f32[0] = a;
  f32[1] = b;
  return u32[0] === u32[1];
}

const relError = (value, ref) => Math.abs(value - ref) / (1 + Math.abs(ref));

/**
 * Compares two lists of logit rows.
 * @param {number[][]} a x86_64 rows (the reference)
 * @param {number[][]} b the other side's rows
 * @param {'bits' | 'tolerance'} mode
 * @param {number} tolerance
 * @param {Totals} totals
 * @param {string} where for messages
 * @param {string} other the name of side B in messages ('arm64 node22', ...)
 * @returns {{ count: number, identical: number, worst: number, problem?: string }}
 */
function compareRows(a, b, mode, tolerance, totals, where, other) {
  let count = 0;
  let identical = 0;
  let worst = 0;
  let problem;
  if (a === undefined || b === undefined) return { count, identical, worst, problem: `${where}: missing on ${a === undefined ? 'x86_64' : other}` };
  if (a.length !== b.length) return { count, identical, worst, problem: `${where}: ${a.length} rows on x86_64, ${b.length} on ${other}` };
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) {
      problem ??= `${where}, row ${i}: ${a[i].length} logits on x86_64, ${b[i].length} on ${other}`;
      continue;
    }
    for (let j = 0; j < a[i].length; j++) {
      count++;
      const error = relError(b[i][j], a[i][j]);
      worst = Math.max(worst, error);
      if (sameBits(a[i][j], b[i][j])) identical++;
      else if (mode === 'bits') problem ??= `${where}, row ${i}, logit ${j}: x86_64 ${a[i][j]} vs ${other} ${b[i][j]} (bits differ)`;
      if (mode === 'tolerance' && !(error <= tolerance))
        problem ??= `${where}, row ${i}, logit ${j}: x86_64 ${a[i][j]} vs ${other} ${b[i][j]}, error ${error.toExponential(2)} > ${tolerance}`;
    }
  }
  totals.compared += count;
  totals.identical += identical;
  totals.worst = Math.max(totals.worst, worst);
  return { count, identical, worst, problem };
}

/** Sentence results of one flavour ('handler' means: the same as index.handler's). */
const sentencesOf = (side, flavour) => (side.sentences[flavour] === 'handler' ? side.sentences.handler : side.sentences[flavour]);

/**
 * Sentence events on both sides: same ids, same statuses and error codes, then the logits.
 * @returns {Check}
 */
function compareSentences(name, a, b, mode, tolerance, totals, other) {
  const problems = [];
  let count = 0;
  let identical = 0;
  let worst = 0;
  let flips = 0;
  if (a.length !== b.length) problems.push(`${a.length} events on x86_64, ${b.length} on ${other}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (x.id !== y.id) {
      problems.push(`event ${i}: ${x.id} vs ${y.id}`);
      break;
    }
    if (x.status !== y.status || x.code !== y.code) problems.push(`${x.id}: x86_64 ${x.status} ${x.code ?? ''} vs ${other} ${y.status} ${y.code ?? ''}`);
    const rows = compareRows(x.logits, y.logits, mode, tolerance, totals, x.id, other);
    count += rows.count;
    identical += rows.identical;
    worst = Math.max(worst, rows.worst);
    if (rows.problem) problems.push(rows.problem);
    flips += x.predictions.filter((p, k) => p !== y.predictions[k]).length;
  }
  if (mode === 'bits' && flips > 0) problems.push(`${flips} argmax differ`);
  const errors = mode === 'tolerance' ? `, worst error ${worst.toExponential(2)}, ${flips} argmax differ` : '';
  const summary = `${a.length} events, ${count} logits, ${identical} bit-identical${errors}`;
  return { name, ok: problems.length === 0, detail: problems.length === 0 ? summary : `${summary}; ${problems.slice(0, 3).join('; ')}` };
}

/**
 * All checks between the host's x86_64 result and one other side's (an arm64 Node, or another x86_64 Node).
 * @param {object} a runner output on the host's x86_64 Node
 * @param {object} b runner output on the other side
 * @param {object[]} fixtures the golden fixtures (PyTorch logits)
 * @param {number} tolerance the golden tolerance
 * @param {Totals} totals updated
 * @param {string} [other] side B's name in messages
 * @returns {{ checks: Check[], notes: string[] }}
 */
export function compareSides(a, b, fixtures, tolerance, totals, other = 'arm64') {
  const checks = [];
  const notes = [];
  for (const flavour of FLAVOURS) {
    if (b.flavours[flavour] !== flavour) {
      notes.push(`${flavour} cannot run on ${other} Node ${b.machine.node} (the backend fell back to ${b.flavours[flavour]}): nothing to compare bit for bit`);
      continue;
    }
    if (a.flavours[flavour] !== flavour) {
      notes.push(`${flavour} cannot run on x86_64 Node ${a.machine.node} (fell back to ${a.flavours[flavour]})`);
      continue;
    }
    // relaxed_madd fuses on arm64 (fmla) but only on an x86 CPU with FMA: without it, last-bit differences are allowed.
    const mode = flavour === 'wasm-relaxed' && !a.machine.fma ? 'tolerance' : 'bits';
    const how = mode === 'bits' ? 'bit for bit' : `within tolerance (this x86 CPU has no FMA, so relaxed_madd does not fuse)`;
    let count = 0;
    let identical = 0;
    const problems = [];
    for (const fixture of fixtures) {
      const rows = compareRows(a.golden[flavour][fixture.name], b.golden[flavour][fixture.name], mode, tolerance, totals, fixture.name, other);
      count += rows.count;
      identical += rows.identical;
      if (rows.problem) problems.push(rows.problem);
    }
    const detail = `${fixtures.length} fixtures, ${count} logits, ${identical} bit-identical`;
    checks.push({
      name: `golden ${flavour}, ${how}`,
      ok: problems.length === 0 && count > 0,
      detail: problems.length ? `${detail}; ${problems.slice(0, 3).join('; ')}` : detail,
    });
    checks.push(compareSentences(`sentences ${flavour}, ${how}`, sentencesOf(a, flavour), sentencesOf(b, flavour), mode, tolerance, totals, other));
  }

  // What a client of each deployment gets: index.handler with the flavour each runtime picked.
  if (a.auto === b.auto) {
    notes.push(`index.handler picked ${a.auto} on both sides: its answers are the "sentences ${a.auto}" check`);
  } else {
    checks.push(
      compareSentences(
        `index.handler as deployed: x86_64 ${a.auto} vs ${other} ${b.auto}, within tolerance`,
        a.sentences.handler,
        b.sentences.handler,
        'tolerance',
        tolerance,
        totals,
        other,
      ),
    );
  }

  // B against PyTorch, every flavour that ran there; hostile inputs (scale up to 4096, cancelling) apart.
  const worstBy = [];
  const problems = [];
  let count = 0;
  for (const flavour of Object.keys(b.golden)) {
    const worst = { ordinary: 0, hostile: 0 };
    const seen = { ordinary: 0, hostile: 0 };
    for (const fixture of fixtures) {
      const ours = b.golden[flavour][fixture.name];
      const kind = fixture.name.includes('hostile') ? 'hostile' : 'ordinary';
      fixture.cases.forEach((c, i) =>
        c.logits.forEach((ref, j) => {
          count++;
          seen[kind]++;
          const error = relError(ours?.[i]?.[j], ref);
          worst[kind] = Math.max(worst[kind], error);
          if (!(error <= tolerance)) problems.push(`${flavour} ${fixture.name}, ${c.label}, logit ${j}: ${ours?.[i]?.[j]} vs PyTorch ${ref}`);
        }),
      );
    }
    totals.worstPytorch = Math.max(totals.worstPytorch, worst.ordinary, worst.hostile);
    const show = (kind) => (seen[kind] === 0 ? '-' : worst[kind].toExponential(1));
    worstBy.push(`${flavour} ${show('ordinary')} / ${show('hostile')}`);
  }
  const detail = `${count} logits, worst |${other} - PyTorch| / (1 + |PyTorch|), ordinary / hostile inputs: ${worstBy.join(', ')} (bound ${tolerance})`;
  checks.push({
    name: `golden on ${other} vs PyTorch`,
    ok: problems.length === 0 && count > 0,
    detail: problems.length ? `${detail}; ${problems.slice(0, 3).join('; ')}` : detail,
  });
  return { checks, notes };
}
