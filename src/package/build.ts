/**
 * Builds the Lambda package: src/lambda/index.ts bundled by esbuild into one
 * ESM file, `index.mjs` (Node 22 target, minified, the wasm kernels inside as
 * base64, the AWS SDK left out because the Lambda runtime provides it), the
 * benchmark function's entry src/lambda/bench-entry.ts as `bench.mjs` (so the
 * serving index.mjs holds no benchmark code), plus the weight files and the
 * default vector files under weights/, zipped reproducibly. The Lambda handler
 * setting is `index.handler` (`bench.handler` for the benchmark function); the
 * same zip serves x86_64 and arm64.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { SHIPPED_MODELS, type ShippedModelName } from '../pipeline/defaults.js';
import { writeZip, type ZippedEntry } from './zip.js';

/** Where `npm run package` writes the zip, relative to the repo root (template.yaml's CodeUri). */
export const DEFAULT_ZIP = 'dist/tinycnn-lambda.zip';

export interface PackageOptions {
  /** The repository root (holds src/ and weights/). */
  root: string;
  /** Output zip path. Default <root>/DEFAULT_ZIP. */
  out?: string;
  /** Shipped models whose weights (and embedded vectors) go in. Default kim and sm, the routes' defaults. */
  models?: readonly ShippedModelName[];
  /** Include the embedded vector files (leave out for DynamoDB-only deployments). Default true. */
  vectors?: boolean;
}

/** One part of the package and its size. */
export interface PackagePart extends ZippedEntry {
  /** 'code' (index.mjs, dynamodb.cjs: what a serving function loads), 'bench' (bench.mjs), 'weights' or 'vectors'. */
  readonly kind: 'code' | 'bench' | 'weights' | 'vectors';
}

export interface PackageResult {
  /** Where the zip was written. */
  readonly path: string;
  /** Size of the zip file, bytes. */
  readonly zipBytes: number;
  readonly parts: readonly PackagePart[];
  /** Bytes of index.mjs that are the embedded wasm kernels (base64 text). */
  readonly wasmBytesInCode: number;
  /** index.mjs, for checks. */
  readonly code: Uint8Array;
  /** dynamodb.cjs, for checks. */
  readonly dynamodb: Uint8Array;
  /** bench.mjs, for checks. */
  readonly bench: Uint8Array;
}

/**
 * The esbuild options an entry of the package is bundled with (bench/cold/profile.mjs bundles
 * the handler with these, minify off, so its profile names the functions that ship).
 * @param root   the repository root
 * @param entry  e.g. 'src/lambda/index.ts'
 * @param format 'esm' for the handler, 'cjs' for dynamodb.cjs
 */
export function packageBuildOptions(root: string, entry: string, format: 'esm' | 'cjs') {
  return {
    entryPoints: [join(root, entry)],
    format,
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node22',
    external: ['@aws-sdk/*'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    logLevel: 'silent',
  } as const satisfies BuildOptions;
}

/**
 * Bundles the handler: src/lambda/index.ts -> index.mjs (ESM), the benchmark entry
 * src/lambda/bench-entry.ts -> bench.mjs (ESM, self-contained), and the DynamoDB vector store
 * src/vectors/dynamodb.ts -> dynamodb.cjs (CommonJS, required by either only when
 * TINYCNN_VECTOR_STORE=dynamodb). All leave @aws-sdk/* to the Lambda runtime.
 * @param root the repository root
 * @returns the files' bytes and how many bytes of index.mjs are the embedded wasm (base64)
 */
export async function bundleHandler(root: string): Promise<{ code: Uint8Array; bench: Uint8Array; dynamodb: Uint8Array; wasmBytes: number }> {
  const bundle = (entry: string, format: 'esm' | 'cjs') => build(packageBuildOptions(root, entry, format));
  const [main, bench, dynamodb] = await Promise.all([
    bundle('src/lambda/index.ts', 'esm'),
    bundle('src/lambda/bench-entry.ts', 'esm'),
    bundle('src/vectors/dynamodb.ts', 'cjs'),
  ]);
  let wasmBytes = 0;
  for (const out of Object.values(main.metafile.outputs)) {
    for (const [input, info] of Object.entries(out.inputs)) if (input.includes('kernels/wasm/generated/')) wasmBytes += info.bytesInOutput;
  }
  return { code: main.outputFiles[0].contents, bench: bench.outputFiles[0].contents, dynamodb: dynamodb.outputFiles[0].contents, wasmBytes };
}

/**
 * Builds dist/tinycnn-lambda.zip (or options.out).
 * @param options root, output, which models and whether their vectors go in
 */
export async function buildPackage(options: PackageOptions): Promise<PackageResult> {
  const root = options.root;
  const out = options.out ?? join(root, DEFAULT_ZIP);
  const models = options.models ?? (['kim', 'sm'] as const);
  const { code, bench, dynamodb, wasmBytes } = await bundleHandler(root);
  const entries: { name: string; data: Uint8Array; kind: PackagePart['kind'] }[] = [
    { name: 'index.mjs', data: code, kind: 'code' },
    { name: 'bench.mjs', data: bench, kind: 'bench' },
    { name: 'dynamodb.cjs', data: dynamodb, kind: 'code' },
  ];
  for (const name of models) {
    const files = SHIPPED_MODELS[name];
    entries.push({ name: files.weights, data: readFileSync(join(root, files.weights)), kind: 'weights' });
    if (options.vectors !== false) entries.push({ name: files.vectors, data: readFileSync(join(root, files.vectors)), kind: 'vectors' });
  }
  const zip = writeZip(entries);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zip.bytes);
  const kinds = new Map(entries.map((e) => [e.name, e.kind]));
  return {
    path: out,
    zipBytes: zip.bytes.length,
    parts: zip.entries.map((e) => ({ ...e, kind: kinds.get(e.name)! })),
    wasmBytesInCode: wasmBytes,
    code,
    dynamodb,
    bench,
  };
}

/** The report `npm run package` prints: each part's size, the totals and the size targets. */
export function describePackage(result: PackageResult, root: string): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const rows = result.parts.map((p) => [p.name, kb(p.size), kb(p.compressedSize)]);
  const code = result.parts.filter((p) => p.kind === 'code').reduce((s, p) => s + p.size, 0);
  rows.splice(rows.findIndex((r) => r[0] === 'index.mjs') + 1, 0, ['  of which wasm kernels (base64)', kb(result.wasmBytesInCode), '']);
  const overhead = result.zipBytes - result.parts.reduce((s, p) => s + p.compressedSize, 0);
  rows.push(['zip headers + directory', '', kb(overhead)], ['total', kb(result.parts.reduce((s, p) => s + p.size, 0)), kb(result.zipBytes)]);
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = [`${relative(root, result.path) || result.path}`, `  ${'part'.padEnd(width)}  ${'unzipped'.padStart(10)}  ${'zipped'.padStart(10)}`];
  for (const [name, size, zipped] of rows) lines.push(`  ${name.padEnd(width)}  ${size.padStart(10)}  ${zipped.padStart(10)}`);
  const vectors = result.parts.filter((p) => p.kind === 'vectors').reduce((s, p) => s + p.compressedSize, 0);
  const withoutVectors = result.zipBytes - vectors;
  const check = (ok: boolean) => (ok ? 'ok' : 'OVER');
  lines.push(
    `targets: serving code + wasm ${kb(code)} <= 150 KB unzipped (bench.mjs, the benchmark function's entry, apart): ${check(code <= 150 * 1024)}; ` +
      `zip without the vector files ${kb(withoutVectors)} <= 2 MB: ${check(withoutVectors <= 2 * 1024 * 1024)}`,
  );
  return lines.join('\n');
}
