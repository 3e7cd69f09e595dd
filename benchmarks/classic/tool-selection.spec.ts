// classic / Tool selection: the right tool among at least 8, whose distractors' names and descriptions overlap it.
// 3 points a run: the right tool was called and no distractor with effects (a careful read-only lookup is fine) /
// the right argument values / the answer reports the outcome, and claims no action that did not happen.

import type { AnswerSpec } from '../../src/core/answers.ts'
import type { Json } from '../../src/core/types.ts'
import { classic } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(classic, 'tool-selection', { points: 3 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const tool = String(task.expect.tool)
  expect.soft(transcript).toCallTool(tool, undefined, { position: 'no-effects', label: 'right tool, no distractor with effects' })
  expect.soft(transcript).toCallTool(tool, task.expect.arguments as Record<string, Json>, { label: 'right argument values' })
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer reports the outcome' })
})
