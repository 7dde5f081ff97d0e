/**
 * Runs the local server in a Node process whose V8 heap is sized the way the
 * Lambda Node.js runtime's bootstrap sizes it for a function of M MB:
 *
 *   new_space = M / 10;  --max-semi-space-size = new_space / 2;  --max-old-space-size = M - new_space
 *
 * (integer MB; for 128 MB: 6 and 116), plus --min-semi-space-size equal to the
 * maximum: the young generation is reserved at its full size from the start, so
 * resident memory reaches its steady state during warm-up instead of stepping up
 * thousands of requests later when V8 decides to grow it. V8's limits can only be
 * set when a process starts, so `tinycnn serve` starts itself again with them, as
 * Lambda's bootstrap execs node, unless the heap was configured on the command
 * line. Without them a long-running Node server grows its young generation to
 * 16 MB semi-spaces on a large machine: neither what a Lambda environment does
 * nor a fair picture of the function's memory.
 */
import { spawn } from 'node:child_process';

/** Marks the re-started process so it does not start itself again. */
const WORKER_ENV = 'TINYCNN_SERVE_WORKER';

/**
 * The V8 flags Lambda's Node.js bootstrap passes for a memory size (and the young generation's minimum).
 * @param memorySizeMb the function's memory, 128..10240
 */
export function lambdaHeapFlags(memorySizeMb: number): string[] {
  const newSpace = Math.floor(memorySizeMb / 10);
  const semiSpace = Math.floor(newSpace / 2);
  return [`--min-semi-space-size=${semiSpace}`, `--max-semi-space-size=${semiSpace}`, `--max-old-space-size=${memorySizeMb - newSpace}`];
}

/** True when this process should restart itself with lambdaHeapFlags (not yet done, not configured by hand). */
export function needsLambdaHeap(): boolean {
  if (process.env[WORKER_ENV] === '1') return false;
  const configured = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return !configured.some((arg) => /^--(max|min)[-_](semi|old)[-_]space[-_]size/.test(arg));
}

/**
 * Runs this same command again in a child process with Lambda's heap flags, passing
 * stdio through and forwarding SIGINT / SIGTERM.
 * @param memorySizeMb the emulated function memory
 * @returns the child's exit code
 */
export function rerunWithLambdaHeap(memorySizeMb: number): Promise<number> {
  const args = [...process.execArgv, ...lambdaHeapFlags(memorySizeMb), ...process.argv.slice(1)];
  const child = spawn(process.execPath, args, {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'], // the IPC channel closes when this process dies, however it dies
    env: { ...process.env, [WORKER_ENV]: '1', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySizeMb) },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  stopWhenLauncherGone(onTerm);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
    });
  });
}

/**
 * In the restarted process: calls `stop` when the launching process goes away (even by SIGKILL),
 * so no orphaned server keeps the port. A no-op in a process that was not restarted.
 * @param stop shuts the server down
 */
export function stopWithParent(stop: () => void): void {
  if (process.env[WORKER_ENV] !== '1' || !process.connected) return;
  process.channel?.unref(); // the channel alone must not keep the server alive
  process.once('disconnect', stop);
}

/**
 * Under a package manager's script (`npm start`): calls `stop` once the process that started
 * this one is gone. npm runs the script through `sh -c`, and when npm is sent SIGTERM it signals
 * that shell, which dies without passing the signal on: this process would be re-parented and
 * keep serving, holding the port. A no-op outside a package script (`tinycnn serve` in a shell,
 * under nohup or a supervisor keeps running when its parent goes).
 * @param stop shuts the server down
 * @param intervalMs how often the parent is checked (an unref'd timer: it keeps nothing alive)
 */
export function stopWhenLauncherGone(stop: () => void, intervalMs = 250): void {
  if (process.env.npm_lifecycle_event === undefined || process.env[WORKER_ENV] === '1') return;
  const launcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(timer);
    stop();
  }, intervalMs);
  timer.unref();
}
