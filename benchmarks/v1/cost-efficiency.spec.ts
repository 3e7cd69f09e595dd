// v1 / Cost efficiency: the right answer is worth 1 only when reached with the fewest tool calls and, where the task's
// system prompt asks for independent calls to be made together, the fewest model turns. 1 point a run =
// (share of the expected facts in the answer, by meaning) x min(1, minimal calls / tool calls made)
// x min(1, minimal turns / model turns taken) (the last factor where the task sets `minimalTurns`; a model turn is one
// request to the model, the final answer's included). One extra call on a 4-call task scores 0.80; five independent
// lookups made one per turn (6 turns where 2 suffice) score 0.33; a wrong answer scores 0 however cheap. Failed calls
// count. Tokens are recorded with every run (leaderboard.json) but not scored.

import type { AnswerSpec } from '../../src/core/answers.ts'
import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'cost-efficiency', { points: 1 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const minimal = Number(task.expect.minimalCalls)
  const turns = task.expect.minimalTurns === undefined ? undefined : Number(task.expect.minimalTurns)
  expect.soft(transcript).toAnswerWithinCalls(task.expect.answer as unknown as AnswerSpec, minimal, {
    ...(turns === undefined ? {} : { turns }),
    label: `right answer in ${minimal} tool calls${turns === undefined ? '' : ` and ${turns} model turns`}`,
  })
})
