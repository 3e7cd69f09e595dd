// classic / Error recovery: a tool fails (bad argument format, not found, rate limited then down, sold out) and the
// model must retry with corrected arguments, switch to another tool, or report the error honestly.
// 3 points a run: recovered, a successful call with the corrected arguments or to the other tool (for a task whose
// only honest outcome is a report: the call was tried) / no failing call repeated unchanged / the answer reports the
// result or, for a report, the reason it failed.

import type { ChainStep } from '../../src/matchers.ts'
import type { Json } from '../../src/types.ts'
import { classic } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/bench.ts'

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
  expect.soft(transcript).toAnswerWith(task.expect.answer as string[], { label: 'answer reports the result or the error' })
})
