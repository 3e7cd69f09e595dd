// The lookup category's rubric: 3 points a run. The right call with the title asked for; arguments valid against the
// tool's schema; and an answer that states the facts the catalogue returned (by meaning, not spelling).

import type { AnswerSpec, Json } from 'milo-bench'
import { describeCategory } from 'milo-bench'
import { library } from './suite.ts'

describeCategory(library, 'lookup', { points: 3 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  expect.soft(transcript).toCallTool('find_book', task.expect.arguments as Record<string, Json>, { label: 'looked the book up' })
  expect.soft(transcript).toHaveValidArguments('find_book', { label: 'arguments valid against the schema' })
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer states what the catalogue says' })
})
