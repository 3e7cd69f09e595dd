// v1 / Tool calling: 0-1 per test, partial credit for partly right arguments.
// Right tool (1 point), arguments valid against the schema (1), argument values (1, shared by the values right).

import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/bench.ts'

describeCategory(v1, 'tool-calling', { points: 3 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const tool = String(task.expect.tool)
  expect.soft(transcript).toCallTool(tool, undefined, { position: 'first', label: 'right tool' })
  expect.soft(transcript).toHaveValidArguments(tool, { label: 'arguments valid against the schema' })
  expect.soft(transcript).toCallTool(tool, task.expect.arguments as Record<string, never>, { label: 'argument values' })
})
