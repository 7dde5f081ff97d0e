/**
 * The parity certificate: converters/export.py ran a seeded probe input
 * through PyTorch and stored the probe's recipe and PyTorch's logits in the
 * file's metadata (`tinycnn.probe`). Re-running the probe here and comparing
 * proves, at load, that this engine reproduces PyTorch on these weights.
 *
 * Sentence i of the architecture's slots (model/architecture.ts) has the token count stored
 * under its `probeKey` and the values probeValues(S + i, channels * tokens * dim); the
 * external features, when the model has them, are probeValues(S + slots, count):
 *   Kim: {"generator":"mulberry32","seed":S,"tokens":N,"logits":[...]}
 *        x = probeValues(S, channels * N * dim) as (channels, N, dim)
 *   SM:  {"generator":"mulberry32","seed":S,"q_tokens":Nq,"a_tokens":Na,"logits":[...]}
 *        q = probeValues(S, Nq * dim), a = probeValues(S + 1, Na * dim), ext = probeValues(S + 2, 4)
 */
import type { Sentence } from '../backend/backend.js';
import { CertificateError, WeightFileError } from '../errors.js';
import { probeValues } from './probe.js';
import type { AnyArchitecture, ModelInput, ModelSpec } from './registry.js';

/** Golden tolerance: |ours - pytorch| <= TOLERANCE * (1 + |pytorch|). */
export const TOLERANCE = 1e-4;

/** What a passed parity certificate found. */
export interface CertificateResult {
  /** Largest |ours - pytorch| / (1 + |pytorch|) over the probe's logits. */
  readonly worstError: number;
  readonly logits: number;
}

interface Probe {
  generator: string;
  seed: number;
  /** Token count of each sentence slot, under the slot's probeKey ('tokens', 'q_tokens', 'a_tokens'). */
  [probeKey: string]: unknown;
  logits: number[];
}

/** The probe's input and PyTorch's logits, or undefined when the file carries no certificate. */
export function readProbe(
  architecture: AnyArchitecture,
  spec: ModelSpec,
  metadata: Readonly<Record<string, string>>,
  file: string,
): { input: ModelInput; expected: number[] } | undefined {
  const raw = metadata['tinycnn.probe'];
  if (raw === undefined) return undefined;
  let probe: Probe;
  try {
    probe = JSON.parse(raw) as Probe;
  } catch {
    throw new WeightFileError(file, `metadata tinycnn.probe is not JSON: ${raw.slice(0, 80)}`);
  }
  const slots = architecture.slots(spec);
  const count = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= 4096;
  const wellFormed =
    probe.generator === 'mulberry32' &&
    Number.isSafeInteger(probe.seed) &&
    Array.isArray(probe.logits) &&
    probe.logits.length === spec.classes &&
    probe.logits.every((v) => typeof v === 'number') &&
    slots.every((slot) => count(probe[slot.probeKey]));
  if (!wellFormed) throw new WeightFileError(file, `metadata tinycnn.probe is not a certificate tinycnn understands: ${raw.slice(0, 120)}`);

  const sentences: Sentence[] = slots.map((slot, i) => {
    const tokens = probe[slot.probeKey] as number;
    return { data: probeValues(probe.seed + i, slot.channels * tokens * spec.dim), tokens };
  });
  const extFeatures = architecture.extFeatures(spec);
  const ext = extFeatures > 0 ? probeValues(probe.seed + slots.length, extFeatures) : undefined;
  return { input: architecture.makeInput(sentences, ext), expected: probe.logits };
}

/** Compares our logits with PyTorch's; throws CertificateError naming the worst logit when off. */
export function checkCertificate(file: string, ours: ArrayLike<number>, expected: readonly number[], backend: string): CertificateResult {
  let worstError = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(ours[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (Number.isNaN(error)) {
      // NaN compares false with everything: it must stop here as the worst, or a later finite error hides it
      worstError = NaN;
      worst = i;
      break;
    }
    if (error > worstError) {
      worstError = error;
      worst = i;
    }
  }
  if (!(worstError <= TOLERANCE)) {
    throw new CertificateError(
      file,
      `parity certificate failed on backend ${backend}: logit ${worst} is ${ours[worst]} here but ${expected[worst]} in PyTorch ` +
        `(error ${worstError.toExponential(2)} x (1 + |ref|) > ${TOLERANCE}); the file's weights do not reproduce its own PyTorch logits`,
      worstError,
    );
  }
  return { worstError, logits: expected.length };
}
