// classic / Error recovery: a tool fails (bad argument format, not found, rate limited then down, sold out) and the
// model must retry with corrected arguments, switch to another tool, or report the error honestly.
// 3 points a run:
// - recovered: a successful call with the corrected arguments or to the other tool (for a task whose only honest outcome
//   is a report: the call was tried);
// - no failing call repeated unchanged, by the kind of error: a failure the tool says is transient (rate limited,
//   temporarily down) may be retried unchanged twice; any other failure repeated unchanged loses the point;
// - the answer reports the result (or, for a report task, the reason it failed). Where the task allows an honest
//   report instead of the recovery (`expect.report`), a run that did not recover earns the answer point by stating it.
// So an honest report scores 2 of 3 where the task allows one (README), and a right report on a report task scores 3.

import type { AnswerSpec } from '../../src/core/answers.ts'
import type { ChainStep } from '../../src/runtime/matchers.ts'
import type { Json } from '../../src/core/types.ts'
import { classic } from '../../fixtures/suites.ts'
import { followsChain } from '../../src/core/checks.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(classic, 'error-recovery', { points: 3 }, async (task, { run, expect }) => {
  const recovery = task.expect.recovery as ChainStep | undefined
  const attempt = task.expect.attempt as { tool: string, args: Record<string, Json> } | undefined
  if (!recovery && !attempt) {
    throw new Error(`task ${task.id}: an error-recovery task needs expect.recovery or expect.attempt`)
  }
  const transcript = await run(task)
  if (recovery) {
    expect.soft(transcript).toFollowChain([recovery], { label: 'recovered: a successful call after the error' })
  }
  else if (attempt) {
    expect.soft(transcript).toCallTool(attempt.tool, attempt.args, { label: 'tried the call before reporting' })
  }
  expect.soft(transcript).toNotRepeatFailingCalls({ label: 'no failing call repeated unchanged' })
  const recovered = recovery !== undefined && followsChain(transcript, [recovery]).pass
  const report = task.expect.report as unknown as AnswerSpec | undefined
  const answer = (recovered || report === undefined ? task.expect.answer : report) as unknown as AnswerSpec
  expect.soft(transcript).toAnswerWith(answer, { label: recovered || report === undefined ? 'answer reports the result or the error' : 'answer reports the failure honestly' })
})
