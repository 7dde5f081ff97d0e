/**
 * The machine tag recorded with every benchmark result: what ran, where.
 * Absolute timings mean nothing without it, and two runs are only compared
 * (bench/compare.mjs) through it. Used by bench/run.mjs (through bench/machine.mjs)
 * and by the Lambda bench handler (src/lambda/bench.ts); Node built-ins only.
 *
 *   arch, cpu, cores, node, v8, os     the host as Node sees it
 *   flavours, auto_flavour             tinycnn backends that ran / what 'auto' picks (added by the caller)
 *   lambda                             inside AWS Lambda: memory size, vCPU share, region, runtime
 *   emulated                           true under qemu (arm64 on an x86_64 host, or the reverse):
 *                                      such timings are never a speed result
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

/** Lambda gives a function one full vCPU at this memory size, proportionally less below it. */
export const MB_PER_VCPU = 1769;

/** The environment variables read here (process.env by default). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where the function runs, when it runs inside AWS Lambda. */
export interface LambdaFacts {
  readonly memory_mb: number;
  /** vCPUs the memory size buys (memory / 1769). */
  readonly vcpus: number;
  /** Share of one core a single-threaded benchmark gets: min(1, vcpus). */
  readonly vcpu_share: number;
  readonly region: string | null;
  /** AWS_EXECUTION_ENV, e.g. "AWS_Lambda_nodejs22.x". */
  readonly execution_env: string | null;
}

/** The tag itself; callers add flavours, auto_flavour, relaxed_simd and the like. */
export interface MachineTag {
  readonly arch: string;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly v8: string;
  readonly os: string;
  readonly memory_mb: number;
  readonly load_avg_1m: number;
  readonly lambda: LambdaFacts | null;
  readonly emulated: boolean;
  /** Why the run is thought emulated (only when it is). */
  readonly emulation?: string;
  readonly [extra: string]: unknown;
}

/** Arm's CPU part numbers for the cores AWS uses (Graviton 2, 3, 4), from /proc/cpuinfo "CPU part". */
const ARM_PARTS: Readonly<Record<string, string>> = {
  '0xd0c': 'Neoverse-N1 (Graviton2)',
  '0xd40': 'Neoverse-V1 (Graviton3)',
  '0xd4f': 'Neoverse-V2 (Graviton4)',
};

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/** First value of a "key : value" line of /proc/cpuinfo. */
function field(cpuinfo: string, key: string): string | undefined {
  const match = cpuinfo.match(new RegExp(`^${key}\\s*:\\s*(.+)$`, 'm'));
  return match?.[1].trim();
}

/** A readable CPU name: the x86 model name, or the Arm implementer/part (Lambda's arm64 has no model name). */
export function cpuName(cpuinfo = readCpuinfo()): string {
  const model = field(cpuinfo, 'model name');
  if (model !== undefined) return model;
  const part = field(cpuinfo, 'CPU part');
  if (part !== undefined) return ARM_PARTS[part] ?? `Arm implementer ${field(cpuinfo, 'CPU implementer') ?? '?'} part ${part}`;
  return os.cpus()[0]?.model ?? 'unknown';
}

/**
 * Whether this process runs under emulation, and why we think so:
 *   - TINYCNN_EMULATED=1 (the arm64 test runner sets it when it starts qemu), or
 *   - /proc/cpuinfo describes another architecture than the one Node was built for
 *     (qemu-user passes the host's /proc/cpuinfo through).
 */
export function detectEmulation(cpuinfo = readCpuinfo(), arch = os.arch(), env: Env = process.env): { emulated: boolean; reason?: string } {
  if (env.TINYCNN_EMULATED && env.TINYCNN_EMULATED !== '0') return { emulated: true, reason: 'TINYCNN_EMULATED is set' };
  const x86Host = /^vendor_id\s*:/m.test(cpuinfo);
  const armHost = /^CPU implementer\s*:/m.test(cpuinfo);
  if (arch === 'arm64' && x86Host) return { emulated: true, reason: 'arm64 Node on an x86 CPU (/proc/cpuinfo)' };
  if (arch === 'x64' && armHost) return { emulated: true, reason: 'x64 Node on an Arm CPU (/proc/cpuinfo)' };
  return { emulated: false };
}

/** The Lambda facts, from the environment Lambda sets (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_REGION, AWS_EXECUTION_ENV); null outside Lambda. */
export function lambdaFacts(env: Env = process.env): LambdaFacts | null {
  const memory = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (!env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || !Number.isFinite(memory)) return null;
  const vcpus = memory / MB_PER_VCPU;
  return {
    memory_mb: memory,
    vcpus: Number(vcpus.toFixed(3)),
    vcpu_share: Number(Math.min(1, vcpus).toFixed(3)),
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? null,
    execution_env: env.AWS_EXECUTION_ENV ?? null,
  };
}

/**
 * The machine tag for a results file.
 * @param extra fields the run adds (flavours, auto_flavour, ...)
 * @param env   where the Lambda and emulation variables are read (default process.env)
 */
export function machineTag(extra: Record<string, unknown> = {}, env: Env = process.env): MachineTag {
  const cpuinfo = readCpuinfo();
  const emulation = detectEmulation(cpuinfo, os.arch(), env);
  const processors = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  return {
    arch: os.arch(),
    cpu: cpuName(cpuinfo),
    cores: processors || os.cpus().length,
    node: process.versions.node,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()}`,
    memory_mb: Math.round(os.totalmem() / 2 ** 20),
    load_avg_1m: Number(os.loadavg()[0].toFixed(2)),
    lambda: lambdaFacts(env),
    emulated: emulation.emulated,
    ...(emulation.emulated ? { emulation: emulation.reason } : {}),
    ...extra,
  };
}

/** One line for humans: "x64 · AMD EPYC · 2 cores · Node 20.20.2 (V8 11.3) · tinycnn js, wasm-simd · Lambda 1024 MB = 0.579 vCPU, ...". */
export function machineLine(m: MachineTag): string {
  const parts = [m.arch, m.cpu, `${m.cores} cores`, `Node ${m.node} (V8 ${String(m.v8).split('.').slice(0, 2).join('.')})`];
  const flavours = m.flavours as readonly string[] | undefined;
  if (flavours) parts.push(`tinycnn ${flavours.join(', ')}${m.auto_flavour ? ` (auto: ${String(m.auto_flavour)})` : ''}`);
  if (m.lambda) parts.push(`Lambda ${m.lambda.memory_mb} MB = ${m.lambda.vcpus} vCPU, ${m.lambda.region ?? '?'}, ${m.lambda.execution_env ?? '?'}`);
  if (m.emulated) parts.push(`EMULATED (${m.emulation}) — not a speed result`);
  return parts.join(' · ');
}
