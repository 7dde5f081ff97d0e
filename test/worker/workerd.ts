/**
 * Runs Worker entries in the real `workerd` runtime from npm: bundles each entry the way
 * wrangler does (esbuild, conditions workerd/worker/browser; `tinycnn/...` resolved through the
 * package's own `exports`, via a node_modules/tinycnn link in a scratch folder; .wasm files as
 * CompiledWasm modules and .safetensors/.tcv as Data modules, kept as separate modules beside
 * the bundle), writes a workerd config with one service and one socket per entry, starts
 * `workerd serve`, and waits until every socket answers GET /health.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { repoRoot } from '../helpers/paths.js';

/** The compatibility date the template (worker/wrangler.toml) names. */
export const COMPATIBILITY_DATE = '2026-11-17';

/** One Worker to run: an entry file and esbuild defines. */
export interface WorkerSpec {
  name: string;
  entry: string;
  define?: Record<string, string>;
}

/** A bundled Worker: its modules and their sizes. */
export interface BundledWorker {
  name: string;
  /** Where its modules are (deleted by close()). */
  dir: string;
  /** The JavaScript bundle, bytes. */
  scriptBytes: number;
  /** Every module (bundle, Data, CompiledWasm) by name, bytes. */
  modules: Map<string, number>;
}

export interface RunningWorkerd {
  /** Base URL of each Worker by name. */
  urls: Map<string, string>;
  bundles: BundledWorker[];
  /** Milliseconds from spawning workerd to every Worker answering GET /health (INIT included; bundling not). */
  readyMs: number;
  /** What workerd printed (stdout + stderr). */
  output(): string;
  close(): Promise<void>;
}

/** The workerd binary npm installed. */
export function workerdBin(): string {
  return join(repoRoot, 'node_modules', '.bin', 'workerd');
}

/** Bundles `spec.entry` into `dir`: worker bundle + Data / CompiledWasm modules. */
async function bundle(spec: WorkerSpec, dir: string): Promise<{ bundled: BundledWorker; modules: { name: string; kind: 'esModule' | 'data' | 'wasm' }[] }> {
  const extra = new Map<string, 'data' | 'wasm'>();
  const dataModules: Plugin = {
    name: 'workers-modules',
    setup(b) {
      b.onResolve({ filter: /\.(wasm|safetensors|tcv)$/ }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const name = basename(resolved.path);
        copyFileSync(resolved.path, join(dir, name));
        extra.set(name, name.endsWith('.wasm') ? 'wasm' : 'data');
        return { path: `./${name}`, external: true };
      });
    },
  };
  const script = `${spec.name}.js`;
  await build({
    entryPoints: [spec.entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    define: spec.define,
    outfile: join(dir, script),
    plugins: [dataModules],
    logLevel: 'silent',
  });
  const modules = [{ name: script, kind: 'esModule' as const }, ...[...extra].map(([name, kind]) => ({ name, kind }))];
  const sizes = new Map(modules.map((m) => [m.name, statSync(join(dir, m.name)).size]));
  return { bundled: { name: spec.name, dir, scriptBytes: sizes.get(script)!, modules: sizes }, modules };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Bundles the entries and serves them all from one workerd process.
 * @param specs the Workers (entries are copied into a scratch folder that links node_modules/tinycnn to this repo)
 */
export async function startWorkerd(specs: WorkerSpec[]): Promise<RunningWorkerd> {
  const dir = mkdtempSync(join(tmpdir(), 'tinycnn-workerd-'));
  const project = join(dir, 'project'); // a project that depends on tinycnn
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  symlinkSync(repoRoot, join(project, 'node_modules', 'tinycnn'), 'dir');
  const services: string[] = [];
  const sockets: string[] = [];
  const workers: string[] = [];
  const urls = new Map<string, string>();
  const bundles: BundledWorker[] = [];
  for (const spec of specs) {
    const out = join(dir, spec.name);
    mkdirSync(out);
    const entry = join(project, `${spec.name}.entry.js`);
    copyFileSync(spec.entry, entry);
    const { bundled, modules } = await bundle({ ...spec, entry }, out);
    bundles.push(bundled);
    const port = await freePort();
    urls.set(spec.name, `http://127.0.0.1:${port}`);
    services.push(`(name = "${spec.name}", worker = .${spec.name}Worker)`);
    sockets.push(`(name = "${spec.name}", address = "127.0.0.1:${port}", http = (), service = "${spec.name}")`);
    const list = modules.map((m) => `(name = "${m.name}", ${m.kind} = embed "${spec.name}/${m.name}")`).join(',\n    ');
    workers.push(`const ${spec.name}Worker :Workerd.Worker = (\n  modules = [\n    ${list}\n  ],\n  compatibilityDate = "${COMPATIBILITY_DATE}",\n);`);
  }
  const config = `using Workerd = import "/workerd/workerd.capnp";\n\nconst config :Workerd.Config = (\n  services = [${services.join(', ')}],\n  sockets = [${sockets.join(', ')}],\n);\n\n${workers.join('\n\n')}\n`;
  writeFileSync(join(dir, 'config.capnp'), config);

  let output = '';
  const spawned = performance.now();
  const child: ChildProcess = spawn(workerdBin(), ['serve', join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let exited = false;
  child.on('exit', () => (exited = true));
  const close = async () => {
    if (!exited) {
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (const url of urls.values()) {
      for (;;) {
        if (exited) throw new Error(`workerd exited:\n${output}`);
        if (Date.now() > deadline) throw new Error(`workerd did not answer ${url}/health within 60 s:\n${output}`);
        const ok = await fetch(`${url}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { urls, bundles, readyMs: performance.now() - spawned, output: () => output, close };
}
