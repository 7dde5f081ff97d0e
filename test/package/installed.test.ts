// tinycnn as a new user meets it: `npm pack`, an empty project, `npm install` of the tarball, then
// every command and subcommand from node_modules/.bin/tinycnn: its --help, and one real invocation
// each. First with nothing else installed (the commands that need an optional package say which in
// one line and exit 2), then with the optional peer packages installed next to it.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/node/files.js';
import { probeValues } from '../../src/model/probe.js';
import { pipeline } from '../../src/node/index.js';
import { repoRoot } from '../helpers/paths.js';
import { PYTHON, requires } from '../helpers/requirements.js';
import { encodeModel, smallKim } from '../onnx/build.js';
import { client, startDynalite, type Dynalite } from '../vectors/dynalite.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

/** Every command line with a usage of its own. */
const COMMANDS = [
  ['classify'],
  ['serve'],
  ['logits'],
  ['eval'],
  ['convert'],
  ['vectors'],
  ['vectors', 'convert'],
  ['vectors', 'lookup'],
  ['vectors', 'upload'],
  ['vectors', 'info'],
  ['loadtest'],
  ['cost'],
  ['plan'],
];

let dir: string;
let app: string;
let installed: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the installed `tinycnn` (node_modules/.bin/tinycnn) in the app folder. */
function tinycnn(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Run {
  const run = spawnSync(join(app, 'node_modules', '.bin', 'tinycnn'), args, {
    cwd: app,
    input: options.input,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...options.env },
  });
  if (run.error !== undefined) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** As tinycnn(), without blocking this process (whose in-process servers the command talks to). */
function tinycnnAsync(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      join(app, 'node_modules', '.bin', 'tinycnn'),
      args,
      { cwd: app, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        if (status === null) reject(error);
        else resolve({ status, stdout, stderr });
      },
    );
  });
}

/** One line on stderr, exit 2, naming the npm install that fixes it. */
function expectMissingPackage(run: Run, ...packages: string[]): void {
  expect(run.status, run.stderr).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(`npm install ${packages.join(' ')}`);
}

function npm(args: string[], cwd: string): string {
  const run = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinycnn-installed-'));
  app = join(dir, 'app');
  mkdirSync(app);
  // build/ is fresh: `npm test` builds first (pretest); --ignore-scripts skips prepare's second build
  npm(['pack', '--ignore-scripts', '--pack-destination', dir], repoRoot);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', join(dir, tarball)], app);
  installed = join(app, 'node_modules', 'tinycnn');
}, 300_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('npm install tinycnn (nothing else)', () => {
  it('installs no dependency at all; the extras are optional peers', () => {
    expect(readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual(['tinycnn']);
    for (const name of Object.keys(pkg.peerDependencies)) expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
    expect(realpathSync(join(app, 'node_modules', '.bin', 'tinycnn'))).toBe(join(realpathSync(installed), 'build', 'src', 'cli', 'bin.js'));
  });

  it('ships the exporter and its modules, not the training scripts or the fixture generators', () => {
    const converters = readdirSync(join(installed, 'converters')).sort();
    expect(converters).toEqual([
      'checkpoint_pickle.py',
      'export.py',
      'export_onnx.py',
      'load_checkpoint.py',
      'probe.py',
      'reference_models.py',
      'safetensors_io.py',
      'tinycnn_file.py',
    ]);
    for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md']) expect(readdirSync(installed)).toContain(file);
  });

  it('every command and subcommand answers --help with its usage, and --version the version', () => {
    for (const argv of COMMANDS) {
      const run = tinycnn([...argv, '--help']);
      expect(run.status, `${argv.join(' ')}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^usage: tinycnn ${argv.join(' ')}\\b`));
    }
    expect(tinycnn(['--version']).stdout).toBe(`${pkg.version}\n`);
  });

  it('classify: the shipped Kim CNN from the installed weights, as the library answers', () => {
    const run = tinycnn(['classify', '--json', 'a', 'gripping', ',', 'funny', 'film']);
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { label: string; logits: number[] };
    const expected = pipeline('sentiment-analysis', { backend: 'js' }).classify('a gripping , funny film');
    expect(printed.label).toBe(expected.label);
    printed.logits.forEach((v, i) => expect(Math.abs(v - expected.logits[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(expected.logits[i]!))));
  });

  it('logits: a word-vector matrix through the installed weight file', () => {
    const data = probeValues(5, 6 * 300);
    const rows = Array.from({ length: 6 }, (_, t) => Array.from(data.subarray(t * 300, t * 300 + 300)));
    writeFileSync(join(app, 'x.json'), JSON.stringify({ x: rows }));
    const run = tinycnn(['logits', '--model', join(installed, 'weights', 'kim-sst2.safetensors'), '--input', 'x.json', '--backend', 'js']);
    expect(run.status, run.stderr).toBe(0);
    const expected = loadModel(join(repoRoot, 'weights', 'kim-sst2.safetensors'), { backend: 'js' }).logits({ x: { data, tokens: 6 } });
    expect((JSON.parse(run.stdout) as { logits: number[] }).logits).toEqual(Array.from(expected));
  });

  it('eval: a small labelled JSONL file; its accuracy counts the labels classify gives', () => {
    const lines = readFileSync(join(installed, 'bench', 'data', 'kim-sentences.txt'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .slice(0, 8);
    const items = lines.map((text, i) => ({ text, label: i % 2 }));
    writeFileSync(join(app, 'small.jsonl'), items.map((item) => JSON.stringify(item)).join('\n'));
    const run = tinycnn(['eval', 'small.jsonl', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { items: number; correct: number; accuracy: number };
    const classify = tinycnn(['classify'], { input: lines.join('\n') });
    const classified = classify.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { prediction: number }).prediction);
    expect(classified).toHaveLength(8);
    const correct = classified.filter((p, i) => p === items[i]!.label).length;
    expect(report).toMatchObject({ items: 8, correct, accuracy: correct / 8 });
  });

  it('vectors convert, info and lookup: a small word2vec text file to a .tcv store and back', () => {
    writeFileSync(join(app, 'small.txt'), '3 4\ngood 0.5 0.25 -1 2\nbad -0.5 1 0 0.125\nfilm 1 1 1 1\n');
    const made = tinycnn(['vectors', 'convert', 'small.txt', 'small.tcv', '--json']);
    expect(made.status, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ output: 'small.tcv', words: 3, dim: 4, dtype: 'f32' });
    expect(JSON.parse(tinycnn(['vectors', 'info', 'small.tcv', '--verify']).stdout)).toMatchObject({ words: 3, dim: 4, verified: true });
    expect(JSON.parse(tinycnn(['vectors', 'lookup', '--vectors', 'small.tcv', 'good', 'movie']).stdout)).toEqual({ good: [0.5, 0.25, -1, 2], movie: null });
  });

  it('cost and plan: REPORT lines and a CSV of runs, as JSON', () => {
    const report = (ms: number) =>
      `REPORT RequestId: 0f0e0d0c-0b0a-4908-8706-050403020100\tDuration: ${ms} ms\tBilled Duration: ${Math.ceil(ms)} ms\tMemory Size: 512 MB\tMax Memory Used: 70 MB\t`;
    writeFileSync(join(app, 'report.log'), [report(2.5), report(3.5), report(12.25)].join('\n'));
    const cost = tinycnn(['cost', 'report.log', '--json']);
    expect(cost.status, cost.stderr).toBe(0);
    expect(JSON.parse(cost.stdout)).toMatchObject({ requests: 3, malformed_lines: 0 });
    const plan = tinycnn(['plan', join(installed, 'bench', 'data', 'plan-example.csv'), '--slo-ms', '50', '--json']);
    expect(plan.status, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toHaveProperty('recommendation');
  });

  it('serve: the handler on a free port answers /health and a classification, and stops on SIGTERM', async () => {
    const child = spawn(join(app, 'node_modules', '.bin', 'tinycnn'), ['serve', '--port', '0', '--quiet'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${out}`)));
      });
      const health = (await (await fetch(`${url}/health`)).json()) as { status: string; models: Record<string, unknown> };
      expect(health.status).toBe('ok');
      expect(Object.keys(health.models)).toEqual(['kim', 'sm']);
      const answer = await fetch(`${url}/kim`, { method: 'POST', body: JSON.stringify({ input: 'a fine film' }) });
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { label: string }).label).toMatch(/^(positive|negative)$/);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('the commands that need an optional package name it in one line and exit 2', () => {
    writeFileSync(join(app, 'model.onnx'), encodeModel(smallKim().graph));
    expectMissingPackage(tinycnn(['convert', 'model.onnx', 'out.safetensors']), 'protobufjs');
    expectMissingPackage(tinycnn(['vectors', 'upload', 'small.tcv', '--table', 'words']), '@aws-sdk/client-dynamodb');
    expectMissingPackage(tinycnn(['loadtest', '--local']), 'hdr-histogram-js');
    expectMissingPackage(tinycnn(['plan', join(installed, 'bench', 'data', 'plan-example.csv'), '--charts', 'charts']), 'vega', 'vega-lite', '@resvg/resvg-js');
    expectMissingPackage(tinycnn(['serve', '--port', '0'], { env: { TINYCNN_VECTOR_STORE: 'dynamodb' } }), '@aws-sdk/client-dynamodb');
  });

  it('convert x.pt without a Python that can run the exporter: one line naming what is missing, exit 2', () => {
    writeFileSync(join(app, 'x.pt'), 'not read');
    const none = tinycnn(['convert', 'x.pt', 'x.safetensors', '--python', join(dir, 'no-such-python3')]);
    expect(none.status).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/needs Python 3 with PyTorch and numpy: .*no-such-python3 cannot be run \(ENOENT\).*pip install torch numpy/);
  });

  if (requires('tinycnn convert from a Python without PyTorch', 'python3')) {
    it('convert x.pt with a Python that cannot import torch: one line saying so, exit 2', () => {
      // a Python whose `import torch` fails as it does where PyTorch is not installed
      const fake = join(dir, 'no-torch');
      mkdirSync(fake, { recursive: true });
      writeFileSync(join(fake, 'torch.py'), 'raise ModuleNotFoundError("No module named \'torch\'", name="torch")\n');
      const run = tinycnn(['convert', 'x.pt', 'x.safetensors', '--python', PYTHON], { env: { PYTHONPATH: fake } });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`${PYTHON} cannot import torch`);
    });
  }
});

describe('npm install tinycnn and its optional peers', () => {
  let dynalite: Dynalite;

  beforeAll(async () => {
    const peers = Object.entries(pkg.peerDependencies).map(([name, range]) => `${name}@${range}`);
    npm(['install', ...peers], app);
    dynalite = await startDynalite();
  }, 300_000);

  afterAll(async () => {
    await dynalite?.close();
  });

  it('convert model.onnx (protobufjs), then classify with the converted weights and the shipped vectors', () => {
    writeFileSync(join(app, 'kim300.onnx'), encodeModel(smallKim({ dim: 300, filters: 4 }).graph));
    const made = tinycnn(['convert', 'kim300.onnx', 'kim300.safetensors', '--labels', 'neg,pos', '--tokenizer', 'ptb', '--json']);
    expect(made.status, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ architecture: 'KimCNN', labels: ['neg', 'pos'], tokenizer: 'ptb', certificate: null });
    const run = tinycnn(['classify', '--model', 'kim300.safetensors', 'a', 'fine', 'film']);
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { label: string }).label).toMatch(/^(neg|pos)$/);
  });

  it('loadtest --local (hdr-histogram-js): the installed server, every request answered', () => {
    const run = tinycnn(['loadtest', '--local', '--requests', '12', '--concurrency', '2', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { levels: { sent: number; ok: number }[] };
    expect(result.levels).toEqual([expect.objectContaining({ sent: 12, ok: 12 })]);
  });

  it('plan --charts (vega, vega-lite, @resvg/resvg-js): the table and the chart files', () => {
    const run = tinycnn(['plan', join(installed, 'bench', 'data', 'plan-example.csv'), '--charts', 'charts']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Recommendation:/);
    expect(readdirSync(join(app, 'charts')).filter((f) => f.endsWith('.svg')).length).toBeGreaterThan(0);
  });

  it('vectors upload (the AWS SDK): a small word2vec text file into a DynamoDB table', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
    writeFileSync(join(app, 'upload.txt'), '3 4\ngood 0.5 0.25 -1 2\nbad -0.5 1 0 0.125\nfilm 1 1 1 1\n');
    // dynalite answers from this process: the command must not block it
    const run = await tinycnnAsync(
      ['vectors', 'upload', 'upload.txt', '--table', 'words', '--endpoint', dynalite.endpoint, '--create', '--layout', 'list', '--json'],
      env,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ table: 'words', completed: true, written: 3 });
    const item = await client(dynalite.endpoint).send(new GetItemCommand({ TableName: 'words', Key: { word: { S: 'bad' } } }));
    expect(item.Item?.vector?.L?.map((n) => Number(n.N))).toEqual([-0.5, 1, 0, 0.125]);
  });

  if (requires('tinycnn convert x.pt from the installed package', 'torch')) {
    it('convert x.pt: a PyTorch state_dict through the shipped exporter, certificate checked', () => {
      const script = [
        'import torch',
        'torch.manual_seed(3)',
        'sd = {}',
        'for i, k in enumerate((3, 4, 5)):',
        '    sd[f"conv{i + 1}.weight"] = torch.randn(4, 1, k, 300) * 0.05',
        '    sd[f"conv{i + 1}.bias"] = torch.randn(4) * 0.05',
        'sd["fc1.weight"] = torch.randn(2, 12)',
        'sd["fc1.bias"] = torch.randn(2)',
        'torch.save(sd, "kim.pt")',
      ].join('\n');
      const made = spawnSync(PYTHON, ['-c', script], { cwd: app, encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      const run = tinycnn(['convert', 'kim.pt', 'kim-pt.safetensors', '--labels', 'neg,pos', '--json'], { env: { TINYCNN_PYTHON: PYTHON } });
      expect(run.status, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as { architecture: string; certificate: { ok: boolean; worst_error: number } };
      expect(summary.architecture).toBe('KimCNN');
      expect(summary.certificate.ok).toBe(true);
      expect(summary.certificate.worst_error).toBeLessThan(1e-4);
    });
  }
});
