/** The progress bar of the long CLI commands (`vectors convert`, `vectors upload`): on stderr, only when it is a terminal. */
export interface Bar {
  update(value: number, total: number, note: string): void;
  stop(): void;
}

/** A cli-progress bar on stderr when it is a terminal (and cli-progress is installed); else silent. */
export async function progressBar(quiet: boolean, label: string, unit: string): Promise<Bar> {
  const silent: Bar = { update() {}, stop() {} };
  if (quiet || !process.stderr.isTTY) return silent;
  const mod = await import('cli-progress').catch(() => null);
  if (!mod) return silent;
  const cp = (mod as { default?: typeof import('cli-progress') }).default ?? (mod as typeof import('cli-progress'));
  const bar = new cp.SingleBar(
    {
      stream: process.stderr,
      clearOnComplete: false,
      hideCursor: true,
      format: `${label} |{bar}| {percentage}% | {value}/{total} ${unit} | {note} | eta {eta_formatted}`,
      formatValue: (v: number, _o: unknown, type: string) =>
        type === 'value' || type === 'total' ? (unit === 'MB' ? v.toFixed(0) : String(Math.round(v))) : String(v),
    },
    cp.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(value, total, note) {
      if (stopped) return;
      if (!started) {
        bar.start(total, value, { note });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(value, { note });
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
