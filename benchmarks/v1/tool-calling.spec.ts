// v1 / Tool calling: 0-1 per test, partial credit. 4 points a run: the right tool, and no other tool with effects (1) /
// arguments valid against the schema (1) / argument values (1, shared by the values right) / the answer reports the
// result and claims nothing that did not happen (1).

import type { AnswerSpec } from '../../src/core/answers.ts'
import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'tool-calling', { points: 4 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const tool = String(task.expect.tool)
  expect.soft(transcript).toCallTool(tool, undefined, { position: 'no-effects', label: 'right tool' })
  expect.soft(transcript).toHaveValidArguments(tool, { label: 'arguments valid against the schema' })
  expect.soft(transcript).toCallTool(tool, task.expect.arguments as Record<string, never>, { label: 'argument values' })
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer reports the result' })
})
