// v1 / Long context: needles in generated memos from 8K to 120K tokens (fixtures/v1/long-context.json, built by
// src/core/haystack.ts at run time), among near misses: same-shaped codes for other things, and values a later memo
// supersedes. 1 point a run, shared by the needles: the answer states each needle's value, given as its own entity's
// where the question asks for several ("Cedar: LR-7713", not swapped), so one of three found scores 0.33. A haystack
// bigger than the model's declared context is skipped for that model.

import type { AnswerSpec } from '../../src/core/answers.ts'
import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'long-context', { points: 1 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const answer = task.expect.answer as unknown as AnswerSpec
  const count = Array.isArray(answer) ? answer.length : answer.facts.length
  expect.soft(transcript).toAnswerWith(answer, { label: `${count} needle(s) found in ${String(task.expect.tokens)} tokens` })
})
