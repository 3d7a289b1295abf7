/**
 * `node bin/run-ts.js bench/anatomy.ts [--rows LIST] [--top N] [--fields]`
 *
 * What the reduced search's states are made of, to tell how many fewer any
 * reduction could store (issue 14, eighth round in bench/RESULTS.md):
 *
 * - sleep-blocked states: every enabled thread asleep. An optimal DPOR never
 *   reaches them; their share bounds what it would save.
 * - the races the search reverses, most frequent first, by the two steps'
 *   labels and the fields on which their accesses conflict (task indices
 *   dropped).
 * - private transitions: those whose every access (the properties'
 *   observations included) is to an object that no other thread touches in
 *   the whole search. Fusing them into the step before (Lipton) would save
 *   about as many states.
 * - with `--fields`, on the plain search's states (small rows only: the
 *   states are kept as hashes of their JSON): how many stay distinct when one
 *   field is dropped. A field whose dropping merges states is live somewhere
 *   or dead somewhere; one that merges none is never dead.
 *
 * Rows: `model:tasks:zombies:properties`, `;`-separated.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { conflicts, objectOf } from '../src/engine/access.ts';
import { DporSearch } from '../src/engine/dpor.ts';
import { buildModel, type RestartAction } from '../src/kernel/model.ts';
import { shorthandScenario } from '../src/kernel/scenario.ts';
import type { RestartState } from '../src/kernel/state.ts';
import { positiveInt, registryRows } from './args.ts';
import { int } from './format.ts';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: 'v18:4:2:P2-P6,P9,P10;v18:5:2:P2-P6,P9,P10;v20:6:3:P1-P11' },
    top: { type: 'string', default: '8' },
    fields: { type: 'boolean', default: false },
  },
  strict: true,
});
const top = positiveInt(flags.top, '--top', 'bench/anatomy');
const rows = registryRows(flags.rows!, 'bench/anatomy');

const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;
const tally = <K>(m: Map<K, number>, k: K, n = 1): void => void m.set(k, (m.get(k) ?? 0) + n);
const ranked = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);

for (const row of rows) {
  const model = buildModel(row.variant, shorthandScenario(Number(row.tasks), Number(row.zombies)));
  const properties = selectProperties(restartProperties(model), row.properties);
  const por = model.por!;
  /** `tasks[2].pc@T4` → `tasks[].pc`: the field, whatever the task and value */
  const field = (object: number): string => por.describeAccess!(object * 8).replace(/:.*$/, '').replace(/@.*$/, '').replace(/\[\d+\]/g, '[]');
  const races = new Map<string, number>();
  /** per object, the threads that touched it, as bits */
  const touchedBy = new Map<number, number>();
  /** transitions by thread, label and the objects they touched */
  const kinds = new Map<string, number>();
  const search = new DporSearch(model, properties, {
    certifyStates: 0,
    watch: {
      transition(thread, action, accesses) {
        const objects = [...new Set(accesses.map(objectOf))].sort((a, b) => a - b);
        for (const o of objects) touchedBy.set(o, (touchedBy.get(o) ?? 0) | (1 << thread));
        tally(kinds, `${thread} ${action.label} ${objects.join(',')}`);
      },
      race(earlier, later, a, b) {
        const on = new Set<string>();
        for (const x of a) for (const y of b) if (objectOf(x) === objectOf(y) && conflicts(x, y)) on.add(field(objectOf(x)));
        tally(races, `${earlier.label} → ${later.label} on ${[...on].sort().join(', ')}`);
      },
    },
  });
  let r = null;
  while (!(r = search.work(60_000)));
  const { states, transitions } = r.stats;
  const privateByLabel = new Map<string, number>();
  let privateSteps = 0;
  for (const [key, n] of kinds) {
    const [thread, label, list] = key.split(' ');
    const objects = list ? list.split(',').map(Number) : [];
    if (objects.every((o) => touchedBy.get(o) === 1 << Number(thread))) {
      privateSteps += n;
      tally(privateByLabel, label!, n);
    }
  }
  let raceCount = 0;
  for (const n of races.values()) raceCount += n;
  console.log(`\n### ${row.id}: ${r.verdict}, ${int(states)} states, ${int(transitions)} transitions\n`);
  console.log(`- sleep-blocked states: ${int(search.sleepBlocked)} (${pct(search.sleepBlocked, states)})`);
  console.log(`- private transitions: ${int(privateSteps)} (${pct(privateSteps, transitions)}): ${ranked(privateByLabel).map(([l, n]) => `${l} ${int(n)}`).join(', ')}`);
  console.log(`- races reversed: ${int(raceCount)}; the most frequent:\n`);
  console.log('| earlier → later, on the fields where they conflict | races |');
  console.log('| --- | --- |');
  for (const [k, n] of ranked(races)) console.log(`| ${k} | ${int(n)} |`);
  if (flags.fields) deadFields(model);
}

/** The plain search's states, and how many of them stay distinct with each field of a task, the coordinator or the ctx dropped. */
function deadFields(model: ReturnType<typeof buildModel>): void {
  const hash = (x: string): string => createHash('md5').update(x).digest('base64');
  const init = model.init();
  const names = [...new Set([...Object.keys(init.ctx), ...Object.keys(init.coord), ...Object.keys(init.tasks[0] ?? {})])];
  const without = new Map(names.map((f) => [f, new Set<string>()]));
  const seen = new Set<string>([hash(JSON.stringify(init))]);
  let level: RestartState[] = [init];
  while (level.length) {
    const next: RestartState[] = [];
    for (const s of level) {
      for (const [f, set] of without) set.add(hash(JSON.stringify(s, (k, v: unknown) => (k === f ? undefined : v))));
      for (const a of model.actions(s)) {
        const n = model.next(s, a as RestartAction);
        const h = hash(JSON.stringify(n));
        if (!seen.has(h)) (seen.add(h), next.push(n));
      }
    }
    level = next;
  }
  console.log(`\nThe plain search's ${int(seen.size)} states, each field dropped in turn (those that merge any):\n`);
  console.log('| field | distinct states without it |');
  console.log('| --- | --- |');
  for (const [f, set] of without) if (set.size < seen.size) console.log(`| ${f} | ${int(set.size)} (${pct(set.size, seen.size)}) |`);
}
