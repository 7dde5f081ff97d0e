/**
 * The model kinds tinycnn knows, and how a weight file picks one: the tensor names
 * decide (castorini's state_dict layouts), the `tinycnn.architecture` metadata must
 * agree. A new text CNN is one folder implementing Architecture and one entry here.
 */
import { UnsupportedModelError, WeightFileError } from '../errors.js';
import type { SafetensorsFile } from '../safetensors/read.js';
import type { Architecture, BaseSpec } from './architecture.js';
import { kimCnn } from './kim/architecture.js';
import { smCnn } from './sm/architecture.js';

/** Every architecture, in detection order. */
export const ARCHITECTURES = [kimCnn, smCnn] as const;

type Registered = (typeof ARCHITECTURES)[number];
/** The spec of any registered architecture (KimSpec | SmSpec), discriminated by `kind`. */
export type ModelSpec = Registered extends Architecture<infer S, unknown> ? S : never;
/** The input of any registered architecture (KimInput | SmInput). */
export type ModelInput = Registered extends Architecture<BaseSpec, infer I> ? I : never;

/** Any registered architecture, over the union of their specs and inputs. */
export type AnyArchitecture = Architecture<ModelSpec, ModelInput>;

/** Embedding tables that older Castor checkpoints carry; the engine takes vectors from a store instead. */
const IGNORED_TENSORS = ['embed.weight', 'static_embed.weight', 'non_static_embed.weight'];

/** The architecture of a spec (read from a file by detectArchitecture). */
export function architectureOf(spec: BaseSpec): AnyArchitecture {
  const found = ARCHITECTURES.find((a) => a.kind === spec.kind);
  if (found === undefined) throw new UnsupportedModelError('<spec>', `no architecture "${spec.kind}"; known: ${ARCHITECTURES.map((a) => a.kind).join(', ')}`);
  return found;
}

/** Picks the file's architecture by its tensors, checks that the tensor set is exactly that one's, and reads its spec. */
export function detectArchitecture(weights: SafetensorsFile): { architecture: AnyArchitecture; spec: ModelSpec } {
  const names = [...weights.tensors.keys()].filter((name) => !IGNORED_TENSORS.includes(name));
  const matches = ARCHITECTURES.filter((a) => a.signature.some((name) => names.includes(name)));
  if (matches.length !== 1) {
    const known = ARCHITECTURES.map((a) => `its ${a.className} (${a.tensors.join(', ')})`).join(' nor ');
    throw new UnsupportedModelError(weights.file, `tensors [${names.join(', ')}] are neither castorini's ${known.replace(/^its /, '')}`);
  }
  const architecture: AnyArchitecture = matches[0];
  const missing = architecture.tensors.filter((name) => !weights.tensors.has(name));
  const unexpected = names.filter((name) => !architecture.tensors.includes(name));
  if (missing.length > 0) throw new WeightFileError(weights.file, `missing tensor for ${architecture.className}`, missing[0]);
  if (unexpected.length > 0) {
    throw new UnsupportedModelError(weights.file, `unexpected tensors [${unexpected.join(', ')}] for ${architecture.className}`);
  }
  const declared = weights.metadata['tinycnn.architecture'];
  if (declared !== undefined && declared !== architecture.className) {
    throw new UnsupportedModelError(weights.file, `metadata says architecture ${declared} but the tensors are ${architecture.className}'s`);
  }
  return { architecture, spec: architecture.readSpec(weights) };
}
