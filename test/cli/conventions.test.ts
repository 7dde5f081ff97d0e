// The command line's conventions, for every command and subcommand: --help and -h print the
// usage on stdout and exit 0; a wrong command line is one line on stderr and exit 2 (never
// node:util parseArgs's own text); --version; every option a command accepts is in its --help.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tinycnn } from '../helpers/cli.js';

/** Each command line that has its own usage, and the source whose parseFlags options it documents. */
const COMMANDS: { argv: string[]; source: string; fn?: string }[] = [
  { argv: ['classify'], source: 'classify.ts' },
  { argv: ['serve'], source: 'serve.ts' },
  { argv: ['logits'], source: 'logits.ts' },
  { argv: ['eval'], source: 'eval.ts' },
  { argv: ['convert'], source: 'convert.ts' },
  { argv: ['vectors', 'convert'], source: 'vectors-convert.ts' },
  { argv: ['vectors', 'lookup'], source: 'vectors.ts', fn: 'lookup' },
  { argv: ['vectors', 'upload'], source: 'vectors-upload.ts' },
  { argv: ['vectors', 'info'], source: 'vectors.ts', fn: 'info' },
  { argv: ['loadtest'], source: 'loadtest.ts' },
  { argv: ['cost'], source: 'cost.ts' },
  { argv: ['plan'], source: 'plan.ts' },
];

/** The long option names a command's parseFlags call accepts, read from its source. */
function acceptedOptions(source: string, fn?: string): string[] {
  let text = readFileSync(join(repoRoot, 'src', 'cli', source), 'utf8');
  if (fn !== undefined) {
    const start = text.indexOf(`async function ${fn}(`);
    const next = text.indexOf('\nasync function ', start + 1);
    text = text.slice(start, next < 0 ? undefined : next);
  }
  const call = text.slice(text.indexOf('parseFlags({'));
  const options = call.slice(call.indexOf('options: {'), call.indexOf('\n  });'));
  return [...options.matchAll(/(?:'([\w-]+)'|(\w+)): \{ type:/g)].map((m) => m[1] ?? m[2]!);
}

describe('tinycnn command-line conventions', () => {
  it('finds the options it checks (the reader works)', () => {
    expect(acceptedOptions('classify.ts')).toEqual(['model', 'vectors', 'backend', 'no-verify', 'json']);
    expect(acceptedOptions('vectors-upload.ts')).toContain('quiet');
    expect(acceptedOptions('vectors.ts', 'info')).toEqual(['verify', 'json']);
  });

  for (const { argv, source, fn } of COMMANDS) {
    const name = argv.join(' ');
    it(`${name}: --help and -h print the usage, which names every option it accepts`, () => {
      for (const flag of ['--help', '-h']) {
        const run = tinycnn([...argv, flag]);
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toBe('');
        expect(run.stdout).toMatch(new RegExp(`^usage: tinycnn ${name}\\b`));
      }
      const usage = tinycnn([...argv, '--help']).stdout;
      for (const option of acceptedOptions(source, fn)) expect(usage, `${name} --${option}`).toContain(`--${option}`);
    });

    it(`${name}: an unknown option or a missing value is one line on stderr, exit 2`, () => {
      const unknown = tinycnn([...argv, '--no-such-flag']);
      expect(unknown.status).toBe(2);
      expect(unknown.stdout).toBe('');
      expect(unknown.stderr).toBe(`tinycnn ${name}: unknown option --no-such-flag (see tinycnn ${name} --help)\n`);
    });
  }

  it('a flag given without its value, and one given a value it does not take', () => {
    const missing = tinycnn(['cost', '--arch']);
    expect([missing.status, missing.stderr]).toEqual([2, 'tinycnn cost: --arch needs a value (see tinycnn cost --help)\n']);
    const extra = tinycnn(['classify', '--json=yes', 'good']);
    expect([extra.status, extra.stderr]).toEqual([2, 'tinycnn classify: --json takes no value (see tinycnn classify --help)\n']);
    const positional = tinycnn(['serve', 'now']);
    expect([positional.status, positional.stderr]).toEqual([2, 'tinycnn serve: unexpected argument "now" (see tinycnn serve --help)\n']);
  });

  it('tinycnn --help / -h / help list every command; help COMMAND is COMMAND --help', () => {
    for (const argv of [['--help'], ['-h'], ['help'], []]) {
      const run = tinycnn(argv);
      expect(run.status).toBe(0);
      for (const command of ['classify', 'serve', 'logits', 'eval', 'convert', 'vectors', 'loadtest', 'cost', 'plan', '--version']) {
        expect(run.stdout).toContain(`tinycnn ${command}`);
      }
    }
    expect(tinycnn(['help', 'cost']).stdout).toBe(tinycnn(['cost', '--help']).stdout);
  });

  it('tinycnn --version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) expect(tinycnn([flag])).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('unknown commands and subcommands: one line, exit 2', () => {
    const top = tinycnn(['frobnicate']);
    expect(top.status).toBe(2);
    expect(top.stderr.trim().split('\n')).toHaveLength(1);
    expect(top.stderr).toMatch(/unknown command "frobnicate"; the commands are classify, /);
    const sub = tinycnn(['vectors', 'frobnicate']);
    expect(sub.status).toBe(2);
    expect(sub.stderr.trim().split('\n')).toHaveLength(1);
    expect(sub.stderr).toMatch(/^tinycnn vectors: unknown command "frobnicate"; the commands are convert, lookup, upload, info/);
  });
});
