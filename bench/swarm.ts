/**
 * `node bin/run-ts.js bench/swarm.ts [--rows LIST] [--slice N]`
 *
 * Would the reduced search gain from a second core? Two reduced searches of
 * one model share their tables (`DporTables`): each skips the states the other
 * has finished (their summaries are complete) and explores for itself a state
 * that is only on the other's stack. Here they run in one thread, in turns of
 * `--slice` turns of 64 loop steps each (`work(0)` returns after 64), the
 * second taking each frame's threads in the other order, so the count
 * of transitions each ran when the first of them finishes is the time two
 * cores would take, free of any cost of sharing memory between threads. The
 * speed-up it bounds is the single search's transitions over that count.
 *
 * Rows: `model:tasks:zombies:properties`, `;`-separated.
 */
import { parseArgs } from 'node:util';
import { restartProperties, selectProperties } from '../properties/restart.ts';
import { DporSearch } from '../src/engine/dpor.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel } from '../src/kernel/model.ts';
import { shorthandScenario } from '../src/kernel/scenario.ts';
import { positiveInt, registryRows } from './args.ts';
import { int as fmt } from './format.ts';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: 'v18:4:2:P2-P6,P9,P10;v20:5:2:P1-P11;v20:6:3:P1-P11;v18:5:2:P2-P6,P9,P10' },
    slice: { type: 'string', default: '1' },
  },
  strict: true,
});
const slice = positiveInt(flags.slice, '--slice', 'bench/swarm');

const rows = registryRows(flags.rows!, 'bench/swarm');

console.log('| row | verdict | one search: states, transitions | two sharing: states | transitions of each when the first finished | duplicates | bound on the speed-up |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) {
  const model = buildModel(row.variant, shorthandScenario(Number(row.tasks), Number(row.zombies)));
  const properties = selectProperties(restartProperties(model), row.properties);
  const options = { certifyStates: 0 };
  const r = exploreSync(model, properties, { ...options, reduction: 'dpor' });
  const a = new DporSearch(model, properties, options);
  const b = new DporSearch(model, properties, options, a.tables);
  let first: ReturnType<typeof a.work> = null;
  while (!first) {
    for (let k = 0; k < slice && !first; k++) first = a.work(0);
    for (let k = 0; k < slice && !first; k++) first = b.work(0);
  }
  if (first.verdict !== r.verdict) throw new Error(`${row.id}: one search says ${r.verdict}, two sharing say ${first.verdict}`);
  const most = Math.max(a.stats.transitions, b.stats.transitions);
  console.log(
    `| ${row.id} | ${r.verdict} | ${fmt(r.stats.states)}, ${fmt(r.stats.transitions)} | ${fmt(a.tables.visited.size)} | ${fmt(a.stats.transitions)} + ${fmt(b.stats.transitions)} | ${fmt(a.duplicates + b.duplicates)} | ×${(r.stats.transitions / most).toFixed(2)} |`,
  );
}
