/**
 * The standard scenarios every model is checked on by `crsim matrix`, smallest
 * first: the matrix reports a violation on the first scenario of this list that
 * shows it. Fault-free trees of 1 and 2 tasks (zombies, a thread, a ghost), the
 * same with one fault each, then the seed's own case on 3 tasks: a zombie
 * between two live tasks. Small enough that the whole model library is checked
 * exhaustively in a few seconds per model.
 *
 * A scenario's code names its tasks in pids_arr order — L live, Z zombie,
 * T a thread of the root (task 1), G a ghost — then its fault, if any:
 * `+sig2` a signal to task 2 (with a handler), `+kill2` a fatal one, `+ign2`
 * an ignored one, `+sigC` a signal to the coordinator, `+fail1` restore_task of
 * task 1 fails, `+die1` task 1 dies inside restore_task, `+esrch2` pid 2 is
 * missing, `+extra` an extra task. A fault may be pinned to a window:
 * `+sig1@T5:*` fires only while task 1's next step matches `T5:*`; several
 * labels or patterns are separated by `/` (`+sig1@T5:prepare/T5:check`).
 * The same codes are `--scenario LL+sig2` and `--fault sig2` everywhere.
 */
import { parseScenario, type Scenario } from '../src/kernel/scenario.ts';

export interface StandardScenario {
  /** the code shown in the matrix, e.g. `LZ+sig2` */
  readonly code: string;
  /** one line for the legend */
  readonly description: string;
  readonly scenario: Scenario;
}

const KINDS: Readonly<Record<string, { json: object; word: string }>> = {
  L: { json: { kind: 'live' }, word: 'live' },
  Z: { json: { kind: 'zombie' }, word: 'zombie' },
  T: { json: { kind: 'live', leader: false, tgid: 1 }, word: 'thread' },
  G: { json: { kind: 'ghost' }, word: 'ghost' },
};

const FAULTS: readonly { re: RegExp; json: (n: string) => object; word: (n: string) => string }[] = [
  { re: /^sig(\d+)$/, json: (n) => ({ type: 'signal', task: Number(n) }), word: (n) => `signal → ${n}` },
  { re: /^kill(\d+)$/, json: (n) => ({ type: 'signal', task: Number(n), disposition: 'fatal' }), word: (n) => `fatal signal → ${n}` },
  { re: /^ign(\d+)$/, json: (n) => ({ type: 'signal', task: Number(n), disposition: 'ignored' }), word: (n) => `ignored signal → ${n}` },
  { re: /^sigC$/, json: () => ({ type: 'signal-coordinator' }), word: () => 'signal → coordinator' },
  { re: /^fail(\d+)$/, json: (n) => ({ type: 'restore-fails', task: Number(n) }), word: (n) => `restore_task of ${n} fails` },
  { re: /^die(\d+)$/, json: (n) => ({ type: 'dies-in-restore', task: Number(n) }), word: (n) => `${n} dies in restore_task` },
  { re: /^esrch(\d+)$/, json: (n) => ({ type: 'esrch', task: Number(n) }), word: (n) => `pid ${n} missing` },
  { re: /^extra$/, json: () => ({ type: 'extra-task' }), word: () => 'an extra task' },
];

/** A fault's code (`sig2`, `kill1`, `sigC`, `sig1@T5:*` …) as scenario JSON and a few words; throws RangeError. */
export function faultFromCode(code: string, where = `fault '${code}'`): { json: object; word: string } {
  const [name, window, ...rest] = code.split('@');
  const at = window === undefined ? undefined : window.split('/');
  if (rest.length || at?.some((l) => l === '')) throw new RangeError(`${where}: expected one @ then labels or patterns separated by /, e.g. sig1@T5:* (got '${code}')`);
  for (const spec of FAULTS) {
    const m = spec.re.exec(name!);
    if (!m) continue;
    const json = spec.json(m[1] ?? '') as { type: string };
    if (at && json.type !== 'signal' && json.type !== 'signal-coordinator') {
      throw new RangeError(`${where}: only a signal (sigN, killN, ignN, sigC) takes a window @… (got '${code}')`);
    }
    return { json: at ? { ...json, at } : json, word: `${spec.word(m[1] ?? '')}${at ? ` at ${at.join(' / ')}` : ''}` };
  }
  throw new RangeError(`${where}: unknown fault '${name}' (expected sigN, killN, ignN, sigC, failN, dieN, esrchN or extra, N a task's pid)`);
}

/** Whether `text` reads as a scenario code (tasks, then +faults) rather than a file name. */
export function isScenarioCode(text: string): boolean {
  return /^[LZTG]+(\+[A-Za-z]+\d*(@[^+\s]+)?)*$/.test(text);
}

/**
 * Builds a scenario from its code.
 *
 * @example
 * standardScenario('LZL').scenario.tasks.map((t) => t.kind); // ['live', 'zombie', 'live']
 */
export function standardScenario(code: string): StandardScenario {
  const [tree, ...faultCodes] = code.split('+');
  const letters = [...tree!];
  if (letters.length === 0) throw new RangeError(`scenario '${code}': expected the tasks first, one letter each (L, Z, T or G), e.g. LL+sig2`);
  const tasks = letters.map((c, i) => {
    const k = KINDS[c];
    if (!k) throw new RangeError(`standard scenario '${code}': unknown task letter '${c}' (expected L, Z, T or G)`);
    return { vpid: i + 1, ...k.json };
  });
  const words: string[] = [];
  const faults = faultCodes.map((f) => {
    const { json, word } = faultFromCode(f, `scenario '${code}'`);
    words.push(word);
    return json;
  });
  const description = `${letters.map((c, i) => `${KINDS[c]!.word} ${i + 1}`).join(', ')}${words.length ? `; ${words.join(', ')}` : ''}`;
  return { code, description, scenario: parseScenario({ name: code, tasks, faults }, `standard scenario ${code}`) };
}

/**
 * Smallest first: size, then fault-free before faulty. The faults added later
 * (`+die1`, `+kill1`) come after the older 2-task ones, so that no cell that
 * an older scenario shows moves.
 */
export const STANDARD_CODES: readonly string[] = [
  'L',
  'Z',
  'LL',
  'LZ',
  'ZL',
  'ZZ',
  'LT',
  'LG',
  'LL+sig1',
  'LL+sig2',
  'LZ+sig2',
  'LL+sigC',
  'LL+fail1',
  'LL+esrch2',
  'LL+extra',
  'LG+sig2',
  'LL+die1',
  'LL+kill1',
  'LZL',
];

/** The matrix's scenarios, each built when first read: building one parses it (zod), which `crsim check` then need not load. */
export const STANDARD_SCENARIOS: readonly StandardScenario[] = STANDARD_CODES.map((code) => {
  let built: StandardScenario | undefined;
  const get = (): StandardScenario => (built ??= standardScenario(code));
  return {
    code,
    get description() {
      return get().description;
    },
    get scenario() {
      return get().scenario;
    },
  };
});
