/**
 * The benchmark's processes. Each peer with global state (a tfjs backend
 * registry, an onnxruntime environment, a Python interpreter) gets a process of
 * its own, so nothing it leaves behind (threads, heaps, JIT state) is timed
 * against another contender; the coordinator still interleaves them task by
 * task, and only one process works at any moment.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));

/**
 * Process layout: label -> how to start it. tinycnn's three flavours share one
 * process with the naive loop (no global state between them; the relaxed-SIMD
 * flag only enables decoding of the relaxed opcodes).
 */
export const PROCESSES = [
  { label: 'tinycnn', argv: [process.execPath, '--expose-gc', join(BENCH, 'worker.mjs'), 'tinycnn', 'naive'] },
  { label: 'tfjs-cpu', argv: [process.execPath, '--expose-gc', join(BENCH, 'worker.mjs'), 'tfjs-cpu'] },
  { label: 'tfjs-wasm', argv: [process.execPath, '--expose-gc', join(BENCH, 'worker.mjs'), 'tfjs-wasm'] },
  { label: 'ort-web', argv: [process.execPath, '--expose-gc', join(BENCH, 'worker.mjs'), 'ort-web'] },
  { label: 'ort-node', argv: [process.execPath, '--expose-gc', join(BENCH, 'worker.mjs'), 'ort-node'] },
  { label: 'pytorch', argv: [process.env.TINYCNN_PYTHON ?? '/usr/bin/python3', join(BENCH, 'pytorch_bench.py'), '--serve'] },
];

/** One worker process, answering one JSON request at a time (see bench/worker.mjs for the protocol). */
export class Proc {
  /** @param {string} label @param {string[]} argv */
  constructor(label, argv) {
    this.label = label;
    this.exited = null;
    // stdin: requests; stdout -> our stderr (libraries chatter there); fd 3: answers.
    this.child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 2, 2, 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
    /** @type {{ resolve: (a: any) => void, reject: (e: Error) => void }[]} */
    this.pending = [];
    /** Resolves when the process is gone (exited, or never started). */
    this.gone = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.exited = `failed (${error.message})`;
        this.fail(error);
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.exited = `exited (${signal ?? `code ${code}`})`;
        this.fail(new Error(`${label} process ${this.exited}`));
        resolve();
      });
    });
    this.child.stdin.on('error', () => {}); // writing to a dead process: 'exit' / 'error' above report it
    createInterface({ input: this.child.stdio[3] }).on('line', (line) => {
      const waiter = this.pending.shift();
      if (waiter === undefined) return;
      let answer;
      try {
        answer = JSON.parse(line);
      } catch {
        waiter.reject(new Error(`${label}: bad answer ${line.slice(0, 200)}`));
        return;
      }
      if (answer.ok) waiter.resolve(answer);
      else waiter.reject(new Error(`${label}: ${answer.error}`));
    });
  }

  fail(error) {
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }

  /** Sends one request; resolves with the answer, rejects with the worker's error. */
  request(message) {
    if (this.exited) return Promise.reject(new Error(`${this.label} process ${this.exited}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Asks the worker to exit; kills it if it does not within 2 s. */
  async close() {
    if (this.exited) return;
    this.request({ op: 'close' }).catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.gone;
    clearTimeout(timer);
  }
}
