/**
 * Optional packages: the engine, the pipelines and most of the CLI need none; a few tools
 * need one that `npm install tinycnn` does not bring (package.json lists them as optional
 * peers, `peerDependenciesMeta`). Each is imported on first use through `importOptional`,
 * and when it is missing the caller gets a MissingPackageError that names the npm command
 * to run (the CLI prints it as one line and exits 2).
 *
 *   hdr-histogram-js            tinycnn loadtest
 *   protobufjs                  tinycnn convert MODEL.onnx
 *   @aws-sdk/client-dynamodb    tinycnn vectors upload, TINYCNN_VECTOR_STORE=dynamodb
 *   vega, vega-lite, @resvg/resvg-js   --charts (loadtest, plan)
 *   cli-progress                progress bars of `tinycnn vectors` (silently without)
 */
import { TinyCnnError } from './errors.js';

/** An optional package a tool needs is not installed. Code 'PACKAGE_MISSING'. */
export class MissingPackageError extends TinyCnnError {
  /** The npm package names to install. */
  readonly packages: readonly string[];
  constructor(packages: readonly string[], purpose: string) {
    super('PACKAGE_MISSING', `${purpose} needs ${packages.join(', ')}, which tinycnn does not install: npm install ${packages.join(' ')}`);
    this.packages = packages;
  }
}

/**
 * Imports an optional package, or throws MissingPackageError when it (not one of its own
 * dependencies) cannot be found.
 * @param pkg      the package name, as in `npm install PKG`
 * @param purpose  what needs it, for the message (e.g. 'the load test')
 * @param importer `() => import('PKG')`, written out so bundlers and TypeScript see the specifier
 * @param alsoNeeded packages installed together with this one (named in the same message)
 */
export async function importOptional<T>(pkg: string, purpose: string, importer: () => Promise<T>, alsoNeeded: readonly string[] = []): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    if (isMissing(error, pkg)) throw new MissingPackageError([...new Set([pkg, ...alsoNeeded])], purpose);
    throw error;
  }
}

/** Whether `error` says that `pkg` itself could not be resolved (ESM or CommonJS wording). */
export function isMissing(error: unknown, pkg: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = (error as Error).message;
  return message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`) || message.includes(`'${pkg}/`);
}
