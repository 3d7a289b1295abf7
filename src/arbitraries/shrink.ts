/**
 * Model-aware shrinking for fast-check. Shrinking a list of choices alone gets
 * stuck where a shorter run needs a *different* list, not a smaller one (an
 * actor that moved for nothing must stop moving, which no deletion of a 0
 * expresses). These moves work on the run itself: drop the steps an actor took
 * from some point on, or drop one step, replay the rest by identity (actor,
 * label, detail) and keep the candidate only when the same property still
 * breaks, sooner. Each candidate is written back as a list of choices, so
 * fast-check's own shrinking goes on from it, and the seed and path replay the
 * result exactly.
 */
import fc from 'fast-check';
import { runSchedule, type RunOptions } from '../engine/schedule.ts';
import { replayByIdentity, shorterSchedules } from '../engine/shrink-moves.ts';
import type { Action, Model, Property } from '../engine/types.ts';
import { stepRef, type StepRef } from '../engine/match.ts';

export interface RunCase {
  readonly model: Model<unknown, Action>;
  readonly properties: readonly Property<unknown, Action>[];
}

/** A simpler scenario, and which steps of the old run may go missing in it. */
export interface SmallerScenario<Sc> {
  readonly scenario: Sc;
  readonly dropped: (ref: StepRef) => boolean;
}

/**
 * Wraps the arbitrary of (scenario, schedule) pairs. Its shrinks are, in
 * order: simpler scenarios with the same run replayed by identity (`smaller`),
 * shorter runs (`shorterSchedules`), then fast-check's own shrinks. The
 * model-aware ones need the model and properties of a scenario (`caseOf`).
 */
export class RunArbitrary<Sc> extends fc.Arbitrary<[Sc, number[]]> {
  constructor(
    private readonly inner: fc.Arbitrary<[Sc, number[]]>,
    private readonly caseOf: (scenario: Sc) => RunCase,
    private readonly runOptions: RunOptions = {},
    private readonly smaller: (scenario: Sc) => Iterable<SmallerScenario<Sc>> = () => [],
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<[Sc, number[]]> {
    return this.inner.generate(mrng, biasFactor);
  }

  canShrinkWithoutContext(value: unknown): value is [Sc, number[]] {
    return this.inner.canShrinkWithoutContext(value);
  }

  shrink(value: [Sc, number[]], context: unknown): fc.Stream<fc.Value<[Sc, number[]]>> {
    const [scenario, schedule] = value;
    // the tuple's context is its components' contexts: keep the scenario's, so it can still shrink
    const scenarioContext = Array.isArray(context) ? (context[0] as unknown) : undefined;
    const { caseOf, runOptions, smaller } = this;
    function* moves(): Generator<fc.Value<[Sc, number[]]>> {
      const { model, properties } = caseOf(scenario);
      const run = runSchedule(model, properties, schedule, runOptions);
      const v = run.violation;
      if (!v) return;
      const refs = v.steps.map((s) => stepRef(model, s.action));
      for (const smaller1 of smaller(scenario)) {
        const c = caseOf(smaller1.scenario);
        const choices = replayByIdentity(c.model, c.properties, refs, v.property, { ...runOptions, dropped: smaller1.dropped });
        if (choices) yield new fc.Value<[Sc, number[]]>([smaller1.scenario, choices], [undefined, undefined]);
      }
      for (const c of shorterSchedules(model, properties, v.steps, v.property, runOptions)) {
        yield new fc.Value<[Sc, number[]]>([scenario, c], [scenarioContext, undefined]);
      }
    }
    return new fc.Stream(moves()).join(this.inner.shrink(value, context));
  }
}
