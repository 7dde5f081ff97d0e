/**
 * The activations, as one closed enumeration shared by every kernel: the TypeScript
 * kernels (kernels/js) call `activate`, the wasm kernels (kernels/wasm/tinycnn.wat) take
 * `ACTIVATION_CODES[act]` as their `$act` argument, and the backends pass the name through.
 * Adding an activation means adding it here, to `activate`, and to the .wat's `$activate`.
 *
 * The assumption every conv kernel makes: each activation is MONOTONE NON-DECREASING
 * (x <= y implies act(x) <= act(y)). Max over time then commutes with it and with adding
 * the bias — max_t act(b + z_t) = act(b + max_t z_t) — so the fused convMaxPool kernels
 * keep a running max of raw dot products and apply bias and activation once per filter,
 * never writing the (filters, tokens + k - 1) activation matrix. A non-monotone
 * activation (GELU, SiLU/swish, sin, ...) would silently give wrong features.
 * test/core/activation.test.ts checks every member of this enumeration for monotonicity
 * and checks the fused kernels against activate-then-max, so such an addition fails there.
 */

/** Activation -> the code the wasm kernels take (`$act` in kernels/wasm/tinycnn.wat). */
export const ACTIVATION_CODES = { none: 0, relu: 1, tanh: 2 } as const;

/** A nonlinearity applied by a fused kernel: 'none' (identity), 'relu' or 'tanh'. */
export type Activation = keyof typeof ACTIVATION_CODES;

/** The activations a conv + max-over-time kernel applies (a pooled conv always has one). */
export type PoolActivation = Exclude<Activation, 'none'>;

/** Every activation, in code order. */
export const ACTIVATIONS = Object.keys(ACTIVATION_CODES) as readonly Activation[];

/**
 * The scalar definition of each activation (float64 in, float64 out), used by the
 * TypeScript kernels and the reference loops the wasm kernels are checked against.
 */
export function activate(v: number, act: Activation): number {
  if (act === 'relu') return v > 0 ? v : 0;
  if (act === 'tanh') return Math.tanh(v);
  return v;
}
