/**
 * For the server tests: the `tinycnn` CLI bundled from the current source (so a child process
 * runs what is in src/, built or not), a child-process server, and a keep-alive HTTP client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { bundleForTest } from '../helpers/bundle.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles src/cli/bin.ts into node_modules/.cache (inside the repo, so external packages resolve). */
export function bundleCli(): Promise<string> {
  return bundleForTest('src/cli/bin.ts', `cli-${process.pid}`);
}

export interface ChildServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
  /** The first 200 lines the child printed on stdout. */
  readonly stdout: string[];
  /** How many lines it printed in all. */
  lines(): number;
  /** Resident set size of the child now, bytes (from /proc). */
  rss(): number;
  stop(): Promise<number | null>;
}

/**
 * Starts `tinycnn serve` in a child process and waits for its "listening on" line.
 * @param cli  the bundled CLI
 * @param args arguments after `serve`
 * @param env  extra environment
 */
export function startChild(cli: string, args: string[], env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let count = 0;
  let stderr = '';
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 20 s; stderr: ${stderr}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const chunk = buffered.split('\n');
      buffered = chunk.pop()!;
      for (const line of chunk) {
        count++;
        if (stdout.length < 200) stdout.push(line);
        const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve({
            child,
            url: m[1],
            port: Number(m[2]),
            stdout,
            lines: () => count,
            rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${serverPid(child.pid!)}/status`, 'utf8'))![1]) * 1024,
            stop: () =>
              new Promise((done) => {
                child.removeAllListeners('exit');
                child.once('exit', (code) => done(code));
                child.kill('SIGTERM');
              }),
          });
        }
      }
    });
  });
}

/**
 * The process that serves: `tinycnn serve` restarts itself once with Lambda's heap flags
 * (src/server/bootstrap.ts), so the server is the launched process's only child, if it has one.
 */
export function serverPid(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return children.length === 1 ? Number(children[0]) : pid;
}

/** A keep-alive client that allows `sockets` requests in flight. */
export function client(sockets: number): {
  post(url: string, body: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  close(): void;
} {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return {
    post(url, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = request(
          url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
