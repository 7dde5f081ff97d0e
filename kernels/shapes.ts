/**
 * The shapes the kernels take, in PyTorch's dimension order (row-major Float32Array):
 *   conv weight  (filters, channels, k, dim)   conv bias  (filters)
 *   sentence     (channels, tokens, dim)
 */

/** Shape of one convolution branch: nn.Conv2d(channels, filters, (k, dim), padding=(k-1, 0)). */
export interface ConvShape {
  readonly filters: number;
  readonly channels: number;
  /** Kernel height: tokens seen by one window. */
  readonly k: number;
  /** Word-vector width: the kernel spans all of it. */
  readonly dim: number;
}
