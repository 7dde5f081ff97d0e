/**
 * AWS Lambda on-demand prices, as data. To update: edit the numbers below, the
 * `asOf` date and, if the page moved, the `sources`; the tests in
 * test/cost/bill.test.ts recompute bills by hand from these figures and will
 * tell you which hand-computed comments to refresh.
 *
 * Region: US East (N. Virginia), the reference region of the pricing page; most
 * other commercial regions charge the same per GB-s on x86_64 and arm64.
 */

/** The two instruction-set architectures Lambda runs. */
export type Arch = 'x86_64' | 'arm64';

/** All architectures, in display order. */
export const ARCHES: readonly Arch[] = ['x86_64', 'arm64'];

/** One volume tier of compute pricing. */
export interface PriceTier {
  /** Monthly GB-seconds (per account, region and architecture) at which this tier ends; Infinity for the last. */
  readonly upToGbSeconds: number;
  /** US dollars per GB-second inside this tier. */
  readonly usdPerGbSecond: number;
}

/** Everything the billing model needs to know about Lambda's prices. */
export interface LambdaPrices {
  /** Where the figures come from (pages to re-check when updating). */
  readonly sources: readonly string[];
  /** The date (YYYY-MM-DD) the figures were last transcribed from the sources. */
  readonly asOf: string;
  /** Region the figures are for. */
  readonly region: string;
  /** US dollars per one million requests (both architectures). */
  readonly usdPerMillionRequests: number;
  /** Duration is rounded up to a multiple of this many milliseconds. */
  readonly billingGranularityMs: number;
  /** Whether the INIT phase (cold start) is billed as duration for on-demand functions. */
  readonly initBilled: boolean;
  /** When INIT billing started (YYYY-MM-DD), for the notes printed with a bill. */
  readonly initBilledSince: string;
  /** Compute tiers per architecture, cheapest last, boundaries cumulative. */
  readonly computeTiers: Readonly<Record<Arch, readonly PriceTier[]>>;
  /** Monthly free tier (shared by both architectures), applied only when asked for. */
  readonly freeTier: { readonly requests: number; readonly gbSeconds: number };
  /** Allowed memory sizes, in MB. */
  readonly memoryMb: { readonly min: number; readonly max: number };
  /** Memory size at which a function gets one full vCPU. */
  readonly mbPerVcpu: number;
}

/**
 * Lambda's on-demand prices (US East). Transcribed on the `asOf` date from the
 * figures in the project's design notes and AWS's tiered-pricing and INIT-billing
 * announcements (the sources below); this machine has no network, so the live
 * pricing page was not re-fetched that day: re-check it when you update.
 */
export const LAMBDA_PRICES: LambdaPrices = {
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/blogs/compute/introducing-tiered-pricing-for-aws-lambda/',
    'https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/',
  ],
  asOf: '2026-11-22',
  region: 'us-east-1',
  usdPerMillionRequests: 0.2,
  billingGranularityMs: 1,
  initBilled: true,
  initBilledSince: '2025-08-01',
  computeTiers: {
    // First 6 billion GB-s / month, next 9 billion, over 15 billion.
    x86_64: [
      { upToGbSeconds: 6e9, usdPerGbSecond: 0.0000166667 },
      { upToGbSeconds: 15e9, usdPerGbSecond: 0.000015 },
      { upToGbSeconds: Infinity, usdPerGbSecond: 0.0000133334 },
    ],
    // First 7.5 billion GB-s / month, next 11.25 billion, over 18.75 billion
    // (the arm64 tier boundaries are 1.25x the x86_64 ones).
    arm64: [
      { upToGbSeconds: 7.5e9, usdPerGbSecond: 0.0000133334 },
      { upToGbSeconds: 18.75e9, usdPerGbSecond: 0.0000120001 },
      { upToGbSeconds: Infinity, usdPerGbSecond: 0.0000106667 },
    ],
  },
  freeTier: { requests: 1_000_000, gbSeconds: 400_000 },
  memoryMb: { min: 128, max: 10_240 },
  mbPerVcpu: 1769,
};

/** Parses an architecture name ('x86_64', 'x86', 'amd64', 'arm64', 'arm', 'aarch64', 'graviton'); undefined if it is none. */
export function parseArch(name: string): Arch | undefined {
  const n = name.trim().toLowerCase().replace(/-/g, '_');
  if (n === 'x86_64' || n === 'x86' || n === 'amd64' || n === 'x64') return 'x86_64';
  if (n === 'arm64' || n === 'arm' || n === 'aarch64' || n === 'graviton') return 'arm64';
  return undefined;
}
