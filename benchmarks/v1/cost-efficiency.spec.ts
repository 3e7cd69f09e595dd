// v1 / Cost efficiency: the right answer is worth 1 only when reached with the fewest tool calls the task needs.
// 1 point a run = (share of the expected facts in the answer, by meaning) x min(1, minimal calls / tool calls made):
// one extra call on a 2-call task scores 0.67, on a 4-call task 0.80; a wrong answer scores 0 however cheap. Failed
// calls count. Tokens and model calls are recorded with every run (leaderboard.json) but not scored.

import type { AnswerSpec } from '../../src/core/answers.ts'
import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'cost-efficiency', { points: 1 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const minimal = Number(task.expect.minimalCalls)
  expect.soft(transcript).toAnswerWithinCalls(task.expect.answer as unknown as AnswerSpec, minimal, { label: `right answer in ${minimal} tool calls` })
})
