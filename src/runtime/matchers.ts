// The benchmark's expect matchers. Each wraps one pure check (checks.ts), prints what the model did when it fails,
// and records the check into the current run's meta, where the reporter reads the score. Call them through the test
// context's `expect` (`async (task, { expect }) => ...`): in concurrent tests the global one cannot see the test.

import type { MatcherState } from 'vitest'
import type { AnswerSpec } from '../core/answers.ts'
import type { ArgumentMatch, CallsToolOptions, ChainStep, CheckOutcome, ForbiddenCall, Milestone, StatePattern, TestTally } from '../core/checks.ts'
import type { BenchTestMeta, FileChange, Json, JsonSchema, RunMeta, Transcript } from '../core/types.ts'
import { expect } from 'vitest'
import { answersWithinCalls, answersWithJson, answerStates, asksBeforeActing, avoidsRepeatedFailures, avoidsRework, avoidsTools, callsInOrder, callsTool, callsWellFormed, describeStep, followsChain, hasValidArguments, jsonAnswerMatches, matchesSchema, passesTests, reachesMilestone, reachesState, readJsonAnswer, usesAtMostCalls } from '../core/checks.ts'

/** Options every benchmark matcher takes: how many rubric points the check is worth, and its name in reports. */
export interface CheckOptions {
  /** Rubric points (default 1). */
  points?: number
  /** Name shown in reports (default: the matcher and its main argument). */
  label?: string
}

export interface ToCallToolOptions extends CheckOptions, CallsToolOptions {}

/**
 * Marks a transcript with the id of the test whose run produced it, so a matcher can tell when its check would go
 * unrecorded or be recorded into another test (the global expect in concurrent tests).
 */
export const benchRun: unique symbol = Symbol.for('milo-bench.run')

function isTranscript(value: unknown): value is Transcript {
  return typeof value === 'object' && value !== null && Array.isArray((value as Transcript).toolCalls) && Array.isArray((value as Transcript).steps)
}

type Result = { pass: boolean, message: () => string, actual?: unknown, expected?: unknown }

function check(state: MatcherState, received: unknown, label: string, options: CheckOptions | undefined, run: (t: Transcript) => CheckOutcome, extra: Partial<Result> = {}): Result {
  if (!isTranscript(received)) {
    return { pass: false, message: () => `${label}: expected a transcript (what run(task) returns), received ${state.utils.printReceived(received)}` }
  }
  return finish(state, received, label, options, run(received), extra)
}

function finish(state: MatcherState, received: unknown, label: string, options: CheckOptions | undefined, result: CheckOutcome, extra: Partial<Result> = {}): Result {
  const name = options?.label ?? label
  const recorded = recordCheck(state, received, name, result, options?.points ?? 1)
  if (!recorded.ok) {
    return { pass: false, message: () => recorded.reason }
  }
  const pass = result.pass
  return {
    pass,
    message: () => `${name}: ${state.isNot ? 'expected this check to fail, but ' : ''}${result.message}${!pass && result.score > 0 ? ` (partial credit ${result.score.toFixed(2)})` : ''}`,
    ...extra,
  }
}

function recordCheck(state: MatcherState, received: unknown, name: string, result: CheckOutcome, points: number): { ok: true } | { ok: false, reason: string } {
  const task = state.task
  const owner = typeof received === 'object' && received !== null ? (received as { [benchRun]?: string })[benchRun] : undefined
  if (owner !== undefined && task?.id !== owner) {
    return { ok: false, reason: `${name}: this check cannot be recorded for its run: use the test context's expect (async (task, { expect }) => ...), not the global one` }
  }
  if (!task) {
    return { ok: true }
  }
  const meta = task.meta as Partial<BenchTestMeta>
  const run = meta.runs?.at(-1)
  if (!run) {
    return { ok: true }
  }
  const pass = state.isNot ? !result.pass : result.pass
  run.checks.push({ name, pass, score: state.isNot ? (pass ? 1 : 0) : result.score, points, message: result.message })
  return { ok: true }
}

/** Sets a field of the current run's meta beside its checks (the coding-agent flags summarize reads). */
function markRun(state: MatcherState, fields: Pick<RunMeta, 'completed' | 'rework'>): void {
  const meta = state.task?.meta as Partial<BenchTestMeta> | undefined
  const run = meta?.runs?.at(-1)
  if (run) {
    Object.assign(run, fields)
  }
}

expect.extend({
  toCallTool(received: unknown, name: string, args?: Record<string, Json>, options?: ToCallToolOptions) {
    const label = `toCallTool(${name}${args ? ', args' : ''})`
    return check(this, received, label, options, t => callsTool(t, name, args, options), isTranscript(received)
      ? { actual: received.toolCalls.map(call => ({ name: call.name, arguments: call.arguments })), expected: [{ name, ...(args ? { arguments: args } : {}) }] }
      : {})
  },
  toHaveValidArguments(received: unknown, name?: string, options?: CheckOptions) {
    return check(this, received, `toHaveValidArguments(${name ?? 'all calls'})`, options, t => hasValidArguments(t, name))
  },
  toCallToolsInOrder(received: unknown, names: string[], options?: CheckOptions) {
    return check(this, received, `toCallToolsInOrder(${names.join(' > ')})`, options, t => callsInOrder(t, names))
  },
  toFollowChain(received: unknown, steps: ChainStep[], options?: CheckOptions) {
    return check(this, received, `toFollowChain(${steps.map(describeStep).join(' > ')})`, options, t => followsChain(t, steps))
  },
  toAnswerWith(received: unknown, spec: AnswerSpec, options?: CheckOptions) {
    return check(this, received, 'toAnswerWith()', options, t => answerStates(t, spec))
  },
  toAnswerWithJson(received: unknown, options?: CheckOptions & { only?: boolean }) {
    return check(this, received, 'toAnswerWithJson()', options, t => answersWithJson(t, options?.only ?? true))
  },
  toNotRepeatFailingCalls(received: unknown, options?: CheckOptions) {
    return check(this, received, 'toNotRepeatFailingCalls()', options, t => avoidsRepeatedFailures(t))
  },
  toAvoidTools(received: unknown, calls: ForbiddenCall[], options?: CheckOptions) {
    return check(this, received, `toAvoidTools(${calls.map(call => (typeof call === 'string' ? call : call.tool)).join(', ')})`, options, t => avoidsTools(t, calls))
  },
  toAskBeforeActing(received: unknown, tools: string[], options?: CheckOptions) {
    return check(this, received, `toAskBeforeActing(${tools.join(', ')})`, options, t => asksBeforeActing(t, tools))
  },
  toUseAtMostCalls(received: unknown, minimal: number, options?: CheckOptions) {
    return check(this, received, `toUseAtMostCalls(${minimal})`, options, t => usesAtMostCalls(t, minimal))
  },
  /** On a transcript, validates the final answer read as JSON (fenced or not); on any other value, the value itself. */
  toMatchSchema(received: unknown, schema: JsonSchema, options?: CheckOptions) {
    const value = isTranscript(received) ? readJsonAnswer(received.finalText).value : received
    const result = value === undefined && isTranscript(received)
      ? { pass: false, score: 0, message: 'the final answer holds no JSON to validate' }
      : matchesSchema(value, schema)
    return finish(this, received, 'toMatchSchema()', options, result)
  },
  toAnswerJsonMatching(received: unknown, values: Record<string, Json>, options?: CheckOptions & { requires?: string[] }) {
    return check(this, received, 'toAnswerJsonMatching()', options, t => jsonAnswerMatches(t, values, options?.requires))
  },
  toReachState(received: unknown, pattern: StatePattern, options?: CheckOptions) {
    return check(this, received, 'toReachState()', options, t => reachesState(t.env, pattern))
  },
  toReachMilestone(received: unknown, milestone: Milestone, options?: CheckOptions) {
    return check(this, received, milestone.label, options, t => reachesMilestone(t, milestone))
  },
  toAnswerWithinCalls(received: unknown, spec: AnswerSpec, minimal: number, options?: CheckOptions & { turns?: number }) {
    return check(this, received, `toAnswerWithinCalls(${minimal}${options?.turns === undefined ? '' : `, ${options.turns} turns`})`, options, t => answersWithinCalls(t, spec, minimal, options?.turns))
  },
  toCallToolsWellFormed(received: unknown, options?: CheckOptions) {
    return check(this, received, 'toCallToolsWellFormed()', options, t => callsWellFormed(t))
  },
  toPassHiddenTests(received: unknown, tally: TestTally, options?: CheckOptions & { partial?: boolean }) {
    const result = check(this, received, 'toPassHiddenTests()', options, () => passesTests(tally, options?.partial ?? false))
    markRun(this, { completed: tally.total > 0 && tally.passes >= tally.total })
    return result
  },
  toAvoidRework(received: unknown, journal: FileChange[], options?: CheckOptions) {
    let reworked = false
    const result = check(this, received, 'toAvoidRework()', options, (t) => {
      const outcome = avoidsRework(t, journal)
      reworked = !outcome.pass
      return outcome
    })
    if (isTranscript(received)) {
      markRun(this, { rework: reworked })
    }
    return result
  },
  // New matchers go above this line: wrap a pure check from checks.ts with check(...) and declare it below.
})

export type { AnswerSpec, ArgumentMatch, ChainStep, ForbiddenCall, Milestone, StatePattern, TestTally }

declare module 'vitest' {
  interface Matchers<T = any> {
    /** The model called `name`, with `args` when given (compared as `options.match` says; partial by default). */
    toCallTool: (name: string, args?: Record<string, Json>, options?: ToCallToolOptions) => void
    /** Every call (or every call to `name`) has arguments valid against the tool's JSON Schema. */
    toHaveValidArguments: (name?: string, options?: CheckOptions) => void
    /** These tools were called in this order. */
    toCallToolsInOrder: (names: string[], options?: CheckOptions) => void
    /** Each step was a successful call with its arguments, in a later turn than the step before (data flow). */
    toFollowChain: (steps: ChainStep[], options?: CheckOptions) => void
    /** The final answer states the facts (by meaning: answers.ts), and no wrong fact, false claim or unseen id. */
    toAnswerWith: (spec: AnswerSpec, options?: CheckOptions) => void
    /** The final answer is JSON; with `only` (default, the prompt asks for JSON alone) fenced or prose-wrapped JSON earns half. */
    toAnswerWithJson: (options?: CheckOptions & { only?: boolean }) => void
    /** No failing tool call was repeated with the same arguments. */
    toNotRepeatFailingCalls: (options?: CheckOptions) => void
    /** None of these calls happened (a tool, or a tool with these arguments): distractors, injected or forbidden actions. */
    toAvoidTools: (calls: ForbiddenCall[], options?: CheckOptions) => void
    /** The model asked for the detail the request left out (the simulated user replied) before calling any of these tools. */
    toAskBeforeActing: (tools: string[], options?: CheckOptions) => void
    /** No more than `minimal` tool calls; extra calls earn minimal / made. */
    toUseAtMostCalls: (minimal: number, options?: CheckOptions) => void
    /** Valid against the JSON Schema (ajv); every violation listed. On a transcript, its final answer's JSON. */
    toMatchSchema: (schema: JsonSchema, options?: CheckOptions) => void
    /** The final answer's JSON (in whatever form) is an object holding these values; partial: the share right. `requires`: tools the values must come from. */
    toAnswerJsonMatching: (values: Record<string, Json>, options?: CheckOptions & { requires?: string[] }) => void
    /** The run's end environment matches the pattern (operators $absent, $includes, $json, $some); all or nothing. */
    toReachState: (pattern: StatePattern, options?: CheckOptions) => void
    /** An agentic milestone: an end state, a call, a chain, or any of several; named by its label. */
    toReachMilestone: (milestone: Milestone, options?: CheckOptions) => void
    /** The answer states its facts, reached with at most `minimal` tool calls: answer share x min(1, minimal / made); with `turns`, x min(1, turns / model turns taken) too. */
    toAnswerWithinCalls: (spec: AnswerSpec, minimal: number, options?: CheckOptions & { turns?: number }) => void
    /** Every tool call well-formed (callFormGrade: offered tool, arguments a valid object as sent, native); partial: the mean grade. */
    toCallToolsWellFormed: (options?: CheckOptions) => void
    /** The task's hidden tests pass (from runHiddenTests); `partial` credits the share passing, else all or nothing. Marks the run completed. */
    toPassHiddenTests: (tally: TestTally, options?: CheckOptions & { partial?: boolean }) => void
    /** The run never put a file back to an earlier content nor repeated a failing call unchanged. Marks the run's rework flag. */
    toAvoidRework: (journal: FileChange[], options?: CheckOptions) => void
    // New matcher declarations go above this line.
  }
}
