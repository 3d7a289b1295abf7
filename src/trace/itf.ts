/**
 * A trace in the Informal Trace Format of Apalache and Quint (ADR-015), so ITF
 * viewers can show it: `vars` names the state's variables, `states` holds one
 * object per state with `#meta.index`, integers are `{"#bigint": "…"}`, lists
 * stay JSON arrays, records JSON objects. A field that is null in some state is
 * an Option variant everywhere (`{tag: "None", value: {"#tup": []}}` or
 * `{tag: "Some", value: …}`), since ITF has no null. Each state also carries
 * `mbt::actionTaken` (Quint's name for the step that led to it) and
 * `crsim::actor`. A run that never ends sets `loop`.
 */
import { annotate, type Trace } from './annotate.ts';

export type ItfValue = boolean | string | ItfValue[] | { [k: string]: ItfValue };

export interface ItfTrace {
  readonly '#meta': Record<string, unknown>;
  readonly vars: string[];
  readonly states: Record<string, ItfValue | Record<string, unknown>>[];
  readonly loop?: number;
}

const ARRAY_ITEM = /\[\d+\]/g;

/** Paths (array indices folded to `[]`) where some state holds null. */
function nullablePaths(states: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string): void => {
    if (v === null) out.add(path);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, `${path}[]`));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v as object)) walk(x, path ? `${path}.${k}` : k);
  };
  states.forEach((s) => walk(s, ''));
  return out;
}

function encode(v: unknown, path: string, nullable: ReadonlySet<string>): ItfValue {
  const inner = (): ItfValue => {
    if (typeof v === 'number' || typeof v === 'bigint') return { '#bigint': String(v) };
    if (typeof v === 'boolean' || typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map((x) => encode(x, `${path}[]`, nullable));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, ItfValue> = {};
      for (const [k, x] of Object.entries(v as object)) out[k] = encode(x, path ? `${path}.${k}` : k, nullable);
      return out;
    }
    return { '#unserializable': String(v) };
  };
  if (!nullable.has(path.replace(ARRAY_ITEM, '[]'))) return inner();
  return v === null ? { tag: 'None', value: { '#tup': [] } } : { tag: 'Some', value: inner() };
}

/**
 * @example
 * writeFileSync('cex.itf.json', JSON.stringify(toItf(trace), null, 2));
 */
export function toItf(trace: Trace): ItfTrace {
  const a = annotate(trace);
  const states = [trace.init, ...trace.steps.map((s) => s.state)];
  const nullable = nullablePaths(states);
  const stateVars = Object.keys(trace.init);
  const vars = [...stateVars, 'mbt::actionTaken', 'crsim::actor'];
  const itfStates = states.map((s, index) => {
    const step = index > 0 ? a.steps[index - 1]! : undefined;
    const out: Record<string, ItfValue | Record<string, unknown>> = {
      '#meta': { index, ...(step ? { step: step.n, changes: step.changes } : {}) },
    };
    for (const k of stateVars) out[k] = encode((s as unknown as Record<string, unknown>)[k], k, nullable);
    out['mbt::actionTaken'] = step ? `${step.label}${step.detail ? ` ${step.detail}` : ''}` : 'init';
    out['crsim::actor'] = step ? a.lanes[step.actor]!.name : '';
    return out;
  });
  const v = trace.violation;
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source: trace.model.name,
      description: `crsim ${trace.crsimVersion ?? ''} counterexample on ${trace.model.env.scenario.name}${v ? `: ${v.property} violated: ${v.message}` : ''}`,
      status: v ? 'violation' : 'ok',
      ...(v ? { violation: { property: v.property, title: v.title, message: v.message } } : {}),
    },
    vars,
    states: itfStates,
    ...(trace.cycleStart !== undefined ? { loop: trace.cycleStart } : {}),
  };
}
