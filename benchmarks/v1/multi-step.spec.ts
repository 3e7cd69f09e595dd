// v1 / Multi-step: chains of 3 to 5 calls where each call needs the previous one's result. 5 points a run:
// - the chain (3): the share of its steps done in a valid order (each a successful call with the right arguments, in a
//   later turn than the step before; a step may name other valid calls); steps after the first missing one earn nothing;
// - arguments valid against their schemas (1), the share of valid calls;
// - the answer reports what the chain did and found (1): facts by meaning, ids read from the end state.
// So a run scores (3 x steps done / steps + valid share + answer share) / 5: a 3-step chain that drops its final step
// (and so cannot report its result) scores (3 x 2/3 + 1 + 0) / 5 = 0.60, the seed's partial chain.

import type { AnswerSpec } from '../../src/core/answers.ts'
import type { ChainStep } from '../../src/core/checks.ts'
import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'multi-step', { points: 5 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const chain = task.expect.chain as unknown as ChainStep[]
  expect.soft(transcript).toFollowChain(chain, { points: 3, label: `chain of ${chain.length} steps` })
  expect.soft(transcript).toHaveValidArguments(undefined, { label: 'arguments valid against the schemas' })
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer reports the result' })
})
