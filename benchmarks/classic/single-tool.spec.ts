// classic / Single tool: one obvious tool among a few. 3 points a run:
// the right tool / arguments valid against its schema / the right argument values.

import { classic } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/bench.ts'

describeCategory(classic, 'single-tool', { points: 3 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const tool = String(task.expect.tool)
  expect.soft(transcript).toCallTool(tool, undefined, { position: 'first', label: 'right tool' })
  expect.soft(transcript).toHaveValidArguments(tool, { label: 'arguments valid against the schema' })
  expect.soft(transcript).toCallTool(tool, task.expect.arguments as Record<string, never>, { label: 'right argument values' })
})
