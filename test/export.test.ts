import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findVariant } from '../models/index.ts';
import { restartProperties } from '../properties/restart.ts';
import { exploreSync } from '../src/engine/run.ts';
import { buildModel } from '../src/kernel/model.ts';
import { parseScenario } from '../src/kernel/scenario.ts';
import { annotate, type Trace } from '../src/trace/annotate.ts';
import { toHtml } from '../src/trace/html.ts';
import { toItf, type ItfValue } from '../src/trace/itf.ts';
import { toTraceJson } from '../src/trace/json.ts';
import { toMermaid } from '../src/trace/mermaid.ts';
import { toPerfetto, type TraceEvent } from '../src/trace/perfetto.ts';
import { runCli } from './cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'crsim-export-'));

/** v18's P11 finding on two live tasks: token hand-offs, a failed lookup, the coordinator blocked for a long time. */
function p11Trace(): Trace {
  const model = buildModel(findVariant('v18')!, parseScenario({ tasks: [{ vpid: 1, kind: 'live' }, { vpid: 2, kind: 'live' }] }));
  const r = exploreSync(model, restartProperties(model).filter((p) => p.id === 'P11'));
  const v = r.violation!;
  return { model, init: model.init(), steps: v.steps, violation: v, token: 'crsim1.test' };
}

const trace = p11Trace();
const a = annotate(trace);

describe('annotations', () => {
  it('finds the token hand-offs, the failed lookup, the wake-ups and the blocked intervals', () => {
    const arrows = a.steps.flatMap((s) => s.arrows.map((x) => ({ n: s.n, ...x })));
    expect(arrows.filter((x) => x.kind === 'token').map((x) => [a.lanes[x.from]!.name, a.lanes[x.to]!.name])).toContainEqual(['coordinator', 'live 1']);
    const failed = arrows.find((x) => x.kind === 'failed')!;
    expect(a.steps[failed.n - 1]!.label).toBe('T8a2');
    expect(a.lanes[failed.to]!.name).toBe('live 2');
    // the coordinator sleeps in C5w until the completion wakes it
    const coord = a.blocked.find((b) => b.actor === 0 && b.wait === 'C5w')!;
    expect(coord.to! - coord.from).toBeGreaterThan(10);
    expect(arrows.some((x) => x.kind === 'wake' && x.to === 0 && x.n === coord.to)).toBe(true);
    expect(a.steps[0]!.cite).toContain('do_restore_coord');
  });
});

describe('Mermaid', () => {
  const text = toMermaid(trace);
  it('is a sequence diagram with one participant per actor, one note per step, arrows and the violation', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.filter((l) => /^ {2}participant A\d+ as /.test(l))).toHaveLength(trace.model.actors.length);
    expect(lines.filter((l) => /^ {2}Note over A\d+: \d+ · /.test(l))).toHaveLength(trace.steps.length);
    expect(lines.some((l) => /^ {2}A0->>A1: activate pid 1$/.test(l))).toBe(true);
    expect(lines.some((l) => /--x/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/Note over A0,A\d+: ✗ P11 violated/);
    // nothing Mermaid would read as syntax inside a message
    for (const l of lines.slice(1)) expect(l.split(':').slice(1).join(':')).not.toMatch(/;/);
  });
});

describe('Perfetto (Chrome Trace Event JSON)', () => {
  const doc = toPerfetto(trace);
  const ev = doc.traceEvents;
  it('has one named thread track per actor, and every event the fields its phase needs', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    const names = ev.filter((e) => e.ph === 'M' && e.name === 'thread_name');
    expect(names.map((e) => e.args!['name'])).toEqual(trace.model.actors);
    expect(new Set(names.map((e) => e.tid)).size).toBe(trace.model.actors.length);
    for (const e of ev) {
      expect(typeof e.name).toBe('string');
      expect(['M', 'X', 's', 'f', 'i']).toContain(e.ph);
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      if (e.ph !== 'M') expect(e.ts).toBeGreaterThanOrEqual(0);
      if (e.ph === 'X') expect(e.dur).toBeGreaterThan(0);
    }
    expect(ev.filter((e) => e.ph === 'X' && e.cat === 'step')).toHaveLength(trace.steps.length);
    expect(ev.find((e) => e.ph === 'i')!.args!['property']).toBe('P11');
  });

  it('nests slices properly on each track, and pairs every flow start with its end', () => {
    const byTid = new Map<number, TraceEvent[]>();
    for (const e of ev.filter((x) => x.ph === 'X')) byTid.set(e.tid, [...(byTid.get(e.tid) ?? []), e]);
    for (const list of byTid.values()) {
      for (const x of list) {
        for (const y of list) {
          if (x === y) continue;
          const [x0, x1, y0, y1] = [x.ts!, x.ts! + x.dur!, y.ts!, y.ts! + y.dur!];
          const disjoint = x1 <= y0 || y1 <= x0;
          const nested = (x0 <= y0 && y1 <= x1) || (y0 <= x0 && x1 <= y1);
          expect(disjoint || nested, `${x.name} and ${y.name}`).toBe(true);
        }
      }
    }
    const starts = ev.filter((e) => e.ph === 's');
    const ends = ev.filter((e) => e.ph === 'f');
    expect(starts.length).toBeGreaterThan(0);
    expect(ends.map((e) => e.id).sort()).toEqual(starts.map((e) => e.id).sort());
  });
});

describe('ITF (Apalache/Quint Informal Trace Format)', () => {
  const itf = toItf(trace);
  const noRawNumbers = (v: unknown): boolean => {
    if (typeof v === 'number') return false;
    if (Array.isArray(v)) return v.every(noRawNumbers);
    if (v && typeof v === 'object') return Object.entries(v).every(([k, x]) => k === '#meta' || noRawNumbers(x));
    return true;
  };
  it('has #meta, vars, and one state per step plus the initial one, each with #meta.index and every variable', () => {
    expect(itf['#meta']['format']).toBe('ITF');
    expect(itf['#meta']['format-description']).toContain('adr');
    expect(itf.vars).toEqual(['ctx', 'coord', 'tasks', 'fired', 'oops', 'mbt::actionTaken', 'crsim::actor']);
    expect(itf.states).toHaveLength(trace.steps.length + 1);
    itf.states.forEach((s, i) => {
      expect(s['#meta']).toMatchObject({ index: i });
      for (const v of itf.vars) expect(s).toHaveProperty([v]);
      expect(Object.keys(s).filter((k) => k !== '#meta').sort()).toEqual([...itf.vars].sort());
    });
    expect(itf.states[0]!['mbt::actionTaken']).toBe('init');
    expect(itf.states[1]!['mbt::actionTaken']).toBe('C4');
    expect(itf.loop).toBeUndefined();
  });

  it('writes integers as {"#bigint": "…"}, null as an Option variant, and sets loop for a run that never ends', () => {
    expect(noRawNumbers(itf.states)).toBe(true);
    const ctx = itf.states[1]!['ctx'] as Record<string, ItfValue>;
    expect(ctx['refcount']).toEqual({ '#bigint': '2' });
    expect(ctx['activePid']).toEqual({ '#bigint': '-1' });
    expect(itf.states[0]!['oops']).toEqual({ tag: 'None', value: { '#tup': [] } });
    const coord = itf.states[0]!['coord'] as Record<string, ItfValue>;
    expect(coord['wq']).toEqual({ tag: 'None', value: { '#tup': [] } });
    const later = itf.states.find((s) => (s['coord'] as Record<string, ItfValue>)['wq'] !== undefined && ((s['coord'] as Record<string, { tag?: string }>)['wq']!.tag === 'Some'))!;
    expect((later['coord'] as Record<string, ItfValue>)['wq']).toEqual({ tag: 'Some', value: 'complete' });
    expect(toItf({ ...trace, cycleStart: 4 }).loop).toBe(4);
  });
});

describe('JSON and HTML', () => {
  it('JSON: every step with its actor, label, changes and the state after it', () => {
    const doc = toTraceJson(trace) as { actors: string[]; steps: { actor: string; label: string; state: unknown; changes: unknown[] }[] };
    expect(doc.actors).toEqual(trace.model.actors);
    expect(doc.steps).toHaveLength(trace.steps.length);
    expect(doc.steps[0]).toMatchObject({ actor: 'coordinator', label: 'C4' });
    expect(doc.steps.at(-1)!.state).toEqual(trace.steps.at(-1)!.state);
  });

  it('HTML: one self-contained page, one lane per actor, a box per step, no network', () => {
    const html = toHtml(trace);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?http/);
    expect(html.match(/<g class="lane [a-z]+" data-lane=/g)).toHaveLength(trace.model.actors.length);
    expect(html.match(/<g class="step /g)).toHaveLength(trace.steps.length);
    expect(html).toContain('class="arrow token"');
    expect(html).toContain('class="arrow failed"');
    expect(html).toContain('class="blocked"');
    // the embedded data cannot close its script element early
    const data = html.slice(html.indexOf('id="trace-data">') + 16, html.indexOf('</script>', html.indexOf('id="trace-data">')));
    expect(JSON.parse(data).steps).toHaveLength(trace.steps.length);
  });
});

describe('crsim report', () => {
  const cex = join(dir, 'cex.json');
  beforeAll(async () => {
    expect((await runCli('check', '--model', 'mutant:B2', '--tasks', '3', '--zombies', '1', '--out', cex)).code).toBe(1);
  });

  it.each([
    ['html', (t: string) => expect(t).toMatch(/^<!doctype html>/)],
    ['mermaid', (t: string) => expect(t).toMatch(/^sequenceDiagram\n/)],
    ['perfetto', (t: string) => expect(JSON.parse(t).traceEvents.length).toBeGreaterThan(10)],
    ['itf', (t: string) => expect(JSON.parse(t)['#meta'].format).toBe('ITF')],
    ['json', (t: string) => expect(JSON.parse(t).format).toBe('crsim-trace/1')],
  ])('--format %s, to standard output and with -o', async (format, check) => {
    const r = await runCli('report', cex, '--format', format);
    expect(r.code).toBe(0);
    check(r.out);
    const file = join(dir, `out.${format}`);
    const w = await runCli('report', cex, '--format', format, '-o', file);
    expect(w.out).toMatch(/^wrote /);
    check(readFileSync(file, 'utf8'));
  });

  it('an unknown format is a usage error naming the option', async () => {
    const r = await runCli('report', cex, '--format', 'pdf');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--format: expected one of html, mermaid, perfetto, itf, json (got 'pdf')");
  });
});
