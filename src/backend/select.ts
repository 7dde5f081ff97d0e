/**
 * Backend selection, synchronous, at load. Order of precedence:
 *   1. options.backend, when it names a backend;
 *   2. else ('auto' or unset) the TINYCNN_BACKEND environment variable, when set;
 *   3. else feature detection: WebAssembly.validate on tiny probe modules —
 *      relaxed SIMD if it validates, else plain SIMD128, else js.
 * Whatever was asked for, a flavour this runtime cannot run falls back one step
 * (wasm-relaxed -> wasm-simd -> js) with a one-line notice to options.log.
 * The convolution algorithm is chosen the same way: options.conv, else
 * TINYCNN_CONV, else DEFAULT_CONV; every backend runs both.
 */
import { BackendError } from '../errors.js';
import type { Backend, ConvAlgorithm } from './backend.js';
import { createJsBackend } from './js.js';
import { createWasmBackend } from './wasm.js';
import { probeBytes, type WasmFlavour } from './wasm-module.js';

/** What a caller may ask for: a backend by name, or 'auto'. */
export type BackendChoice = 'auto' | 'js' | 'wasm-simd' | 'wasm-relaxed';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'js', 'wasm-simd', 'wasm-relaxed'];

/** What a caller may ask for as the convolution algorithm: one by name, or 'auto'. */
export type ConvChoice = 'auto' | ConvAlgorithm;

export const CONV_CHOICES: readonly ConvChoice[] = ['auto', 'direct', 'winograd'];

/**
 * The algorithm 'auto' runs: Winograd F(m, k) (kernels/js/toom-cook.ts), which keeps every
 * golden fixture within the golden tolerance on every backend (test/core/golden.test.ts).
 */
export const DEFAULT_CONV: ConvAlgorithm = 'winograd';

export interface BackendOptions {
  /** 'auto' (default): TINYCNN_BACKEND if set, else the fastest this runtime supports. */
  backend?: BackendChoice;
  /**
   * A precompiled kernel module to use instead of the embedded bytes (edge
   * runtimes that import .wasm as a module); its flavour is read from its exports.
   */
  wasmModule?: WebAssembly.Module;
  /** Where one-line notices go (a fallback was taken); default console.error. */
  log?: (line: string) => void;
  /** Feature probe, default WebAssembly.validate; tests inject one to play a runtime without SIMD. */
  validate?: (bytes: Uint8Array) => boolean;
  /** Cap on the wasm backend's linear memory in bytes (default 1 GiB); past it, INPUT_TOO_LARGE. */
  maxMemoryBytes?: number;
  /** Convolution algorithm: 'auto' (default: TINYCNN_CONV if set, else DEFAULT_CONV), 'direct' or 'winograd'. */
  conv?: ConvChoice;
}

/** What this runtime can run, by validating the probe modules. */
export function detectWasmFeatures(validate?: (bytes: Uint8Array) => boolean): { simd: boolean; relaxed: boolean } {
  const check =
    validate ?? (typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' ? (b: Uint8Array) => WebAssembly.validate(b) : () => false);
  const safe = (bytes: Uint8Array): boolean => {
    try {
      return check(bytes);
    } catch {
      return false;
    }
  };
  const simd = safe(probeBytes('simd'));
  return { simd, relaxed: simd && safe(probeBytes('relaxed')) };
}

/** Parses a backend name from an option or the environment; unknown names are a typed error listing the valid ones. */
export function parseBackendChoice(value: string, source: string): BackendChoice {
  const choice = value.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(choice)) return choice as BackendChoice;
  throw new BackendError('select', `${source} = "${value}" is not a backend; valid values: ${BACKEND_CHOICES.join(', ')}`, 'BACKEND_UNKNOWN');
}

/** Parses a convolution algorithm from an option or the environment; unknown names are a typed error listing the valid ones. */
export function parseConvChoice(value: string, source: string): ConvChoice {
  const choice = value.trim().toLowerCase();
  if ((CONV_CHOICES as readonly string[]).includes(choice)) return choice as ConvChoice;
  throw new BackendError('select', `${source} = "${value}" is not a convolution algorithm; valid values: ${CONV_CHOICES.join(', ')}`, 'CONV_UNKNOWN');
}

/** The algorithm options.conv, then TINYCNN_CONV, then DEFAULT_CONV call for. */
export function resolveConv(option: ConvChoice | undefined): ConvAlgorithm {
  const choice = parseConvChoice(option ?? 'auto', 'options.conv');
  if (choice !== 'auto') return choice;
  const env = typeof process === 'object' ? process.env?.TINYCNN_CONV : undefined;
  const fromEnv = env ? parseConvChoice(env, 'TINYCNN_CONV') : 'auto';
  return fromEnv === 'auto' ? DEFAULT_CONV : fromEnv;
}

/** Creates the backend the options, the environment and the runtime call for (see the module comment). */
export function createBackend(options: BackendOptions = {}): Backend {
  const log = options.log ?? ((line: string) => console.error(line));
  let choice = parseBackendChoice(options.backend ?? 'auto', 'options.backend');
  const env = typeof process === 'object' ? process.env?.TINYCNN_BACKEND : undefined;
  if (choice === 'auto' && env) choice = parseBackendChoice(env, 'TINYCNN_BACKEND');
  const conv = resolveConv(options.conv);
  if (choice === 'js') return createJsBackend({ conv });

  const wasm = (flavour: WasmFlavour): Backend | undefined => {
    try {
      return createWasmBackend({ flavour, module: options.wasmModule, maxMemoryBytes: options.maxMemoryBytes, conv });
    } catch (error) {
      if (error instanceof BackendError) throw error; // a bad option or module: the caller must hear it
      log(`tinycnn: could not start the ${flavour} backend (${(error as Error).message}); falling back`);
      return undefined;
    }
  };

  if (options.wasmModule) {
    const backend = wasm('wasm-simd') ?? createJsBackend({ conv });
    if (choice !== 'auto' && backend.flavour !== choice) {
      log(`tinycnn: ${choice} requested, but the supplied wasm module is ${backend.flavour}; using it`);
    }
    return backend;
  }

  const { simd, relaxed } = detectWasmFeatures(options.validate);
  if (choice === 'wasm-relaxed' && !relaxed && simd) {
    log('tinycnn: wasm-relaxed requested, but this runtime has no relaxed SIMD; using wasm-simd');
  }
  if (!simd) {
    log(
      choice === 'auto'
        ? 'tinycnn: WebAssembly SIMD is unavailable in this runtime; using the js backend (slower)'
        : `tinycnn: ${choice} requested, but this runtime has no WebAssembly SIMD; using the js backend (slower)`,
    );
    return createJsBackend({ conv });
  }
  if (relaxed && choice !== 'wasm-simd') return wasm('wasm-relaxed') ?? wasm('wasm-simd') ?? createJsBackend({ conv });
  return wasm('wasm-simd') ?? createJsBackend({ conv });
}
