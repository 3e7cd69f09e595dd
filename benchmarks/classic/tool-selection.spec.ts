// classic / Tool selection: the right tool among at least 8, whose distractors' names and descriptions overlap it.
// 3 points a run: the right tool was called / no distractor was called / the right argument values.

import type { Json } from '../../src/types.ts'
import { classic } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/bench.ts'

describeCategory(classic, 'tool-selection', { points: 3 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const tool = String(task.expect.tool)
  expect.soft(transcript).toCallTool(tool, undefined, { label: 'right tool' })
  // Any other call (an offered distractor, before or after the right tool, or a tool not offered) is a wrong pick, and
  // a run that calls nothing has picked nothing: the point needs the right tool and no other.
  expect.soft(transcript).toCallTool(tool, undefined, { position: 'only', label: 'no distractor called' })
  expect.soft(transcript).toCallTool(tool, task.expect.arguments as Record<string, Json>, { label: 'right argument values' })
})
