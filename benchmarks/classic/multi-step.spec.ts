// classic / Multi-step chains: the second call needs a value that only the first call's result holds.
// 3 points a run: the chain with its data flow (2 points, one per step: each step a successful call with the right
// values, made in a later turn than the step before; a step may name other valid calls) / the answer reports what the
// chain found (1 point: facts by meaning, from the tool results or the end state; another record's facts lose it).
// So the seed's common failure, the first call right and the second never made, scores 1 of 3.

import type { AnswerSpec } from '../../src/core/answers.ts'
import type { ChainStep } from '../../src/runtime/matchers.ts'
import { classic } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(classic, 'multi-step', { points: 3 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const chain = task.expect.chain as unknown as ChainStep[]
  expect.soft(transcript).toFollowChain(chain, { points: 2, label: 'chain followed with data flow' })
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer reports what the chain found' })
})
