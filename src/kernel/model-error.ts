/**
 * A model that is wrong, not a protocol that fails: a step that throws, or an
 * actor left at a label with no step. The CLI exits 4 for it (not 1, which
 * means "a property is violated"), naming the model, the actor and the step.
 */
export class ModelError extends Error {
  override readonly name = 'ModelError';

  constructor(
    readonly model: string,
    /** `the coordinator`, `task 3`, `fault 0` */
    readonly actor: string,
    /** the label the actor was at */
    readonly step: string,
    /** what went wrong, one line */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`model ${model}: ${actor} at step '${step}': ${reason}`, options);
  }

  /**
   * A ModelError a worker thread sent as text (workers post `stack`, whose
   * first line is `ModelError: <message>`): the message back, or null.
   */
  static messageIn(e: unknown): string | null {
    const text = e instanceof Error ? e.message : String(e);
    const m = /(?:^|: )ModelError: (.*)/.exec(text);
    return m ? m[1]! : null;
  }
}

/** Runs a model's code for `actor` at `step`; anything it throws becomes a {@link ModelError}. */
export function blame(model: string, actor: string, step: string, e: unknown): never {
  if (e instanceof ModelError) throw e;
  const reason = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message.split('\n')[0]}` : `threw ${String(e)}`;
  throw new ModelError(model, actor, step, reason, { cause: e });
}
