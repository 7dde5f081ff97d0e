/**
 * Starts the local server (`tinycnn serve`) as a child process on a free
 * loopback port, waits for its `listening on http://...` line, and keeps its
 * stdout lines (INIT and REPORT lines) for the cold-start protocol.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LoadTestError } from './errors.js';
import { builtCli } from './paths.js';

/** A running local server. */
export interface LocalServerProcess {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Spawn -> `listening on` line, ms (process start, imports, INIT, listen). */
  readonly startupMs: number;
  /** Every stdout line so far (REPORT lines among them). */
  readonly lines: string[];
  readonly child: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  /** Command and arguments; default: node build/src/cli/bin.js serve. `--port 0` is appended. */
  readonly command?: readonly string[] | undefined;
  /** Extra arguments after the command (e.g. ['--memory', '1769']). */
  readonly args?: readonly string[] | undefined;
  /** Give up waiting for `listening on` after this many ms (default 30 s). */
  readonly startTimeoutMs?: number | undefined;
}

const LISTENING = /listening on (https?:\/\/\S+)/;

/** Starts a server process and resolves once it listens. */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServerProcess> {
  const [cmd, ...cmdArgs] = options.command ?? [process.execPath, builtCli(), 'serve'];
  const args = [...cmdArgs, ...(options.args ?? []), '--port', '0'];
  const start = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  const lines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 20) stderr.shift();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`did not print "listening on http://..." within ${options.startTimeoutMs ?? 30_000} ms`),
      options.startTimeoutMs ?? 30_000,
    );
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop();
      reject(
        new LoadTestError(`local server (${[cmd, ...args].join(' ')}) ${why}${stderr.length > 0 ? `:\n${stderr.join('\n')}` : ''}`, 'LOCAL_SERVER_FAILED'),
      );
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = LISTENING.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before listening`));
  });
  return { url, startupMs: performance.now() - start, lines, child, stop };
}
