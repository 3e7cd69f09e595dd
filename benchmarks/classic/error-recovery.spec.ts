// classic / Error recovery: a tool fails, or answers in a way that only looks like success (a 200 result with status
// "partial", the record of another city than asked, a validation error naming one field, a payment that timed out
// after it was sent), and the model must retry what the tool says to retry, correct the call, look further, or report
// honestly. 3 points a run:
// - recovered: a successful call that brings back what the error hid (`expect.recovery`: its tool, its values, and the
//   data it must return, so another valid way to the same data counts);
// - no failing call repeated unchanged, by the kind of error: a failure the tool says is transient (rate limited,
//   temporarily down) may be retried unchanged twice; any other failure repeated unchanged loses the point;
// - the answer reports the result (no contradiction, no other record's facts). Where the task allows an honest report
//   instead of the recovery (`expect.report`), a run that did not recover earns the answer point by stating either the
//   result or the failure.
// So an honest report scores 2 of 3 where the task allows one (README), and a model that avoids the error altogether
// (the right call first) scores 3.

import type { AnswerSpec } from '../../src/core/answers.ts'
import type { ChainStep } from '../../src/runtime/matchers.ts'
import { classic } from '../../fixtures/suites.ts'
import { answerStates, followsChain } from '../../src/core/checks.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(classic, 'error-recovery', { points: 3 }, async (task, { run, expect }) => {
  const recovery = task.expect.recovery as unknown as ChainStep
  const transcript = await run(task)
  expect.soft(transcript).toFollowChain([recovery], { label: 'recovered: a successful call after the error' })
  expect.soft(transcript).toNotRepeatFailingCalls({ label: 'no failing call repeated unchanged' })
  const result = task.expect.answer as unknown as AnswerSpec
  const report = task.expect.report as unknown as AnswerSpec | undefined
  if (report === undefined || followsChain(transcript, [recovery]).pass) {
    expect.soft(transcript).toAnswerWith(result, { label: 'answer reports the result or the error' })
  }
  else {
    // No recovery: the honest report counts, and so does the right result reached some other way.
    const better = answerStates(transcript, result).score >= answerStates(transcript, report).score ? result : report
    expect.soft(transcript).toAnswerWith(better, { label: 'answer reports the failure honestly' })
  }
})
