// v1 / Structured output: the answer is JSON for a given schema (sent as response_format), sometimes after a tool call.
// 5 points a run:
// - JSON in the form the prompt asks for (1): where it asks for JSON alone ("reply only with JSON", `expect.jsonOnly`),
//   JSON in a code fence or prose earns half; where it asks for an answer "as JSON", any form that holds it earns 1;
// - valid against the schema (2); partly valid output earns the share of the schema's properties that are valid;
// - the right values (2), the share of expected values right.

import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'structured-output', { points: 5 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  if (!task.responseFormat) {
    throw new Error(`structured-output task ${task.id} has no responseFormat`)
  }
  expect.soft(transcript).toAnswerWithJson({ only: task.expect.jsonOnly === true, label: 'JSON in the form asked for' })
  expect.soft(transcript).toMatchSchema(task.responseFormat.schema, { points: 2, label: 'valid against the schema' })
  expect.soft(transcript).toAnswerJsonMatching(task.expect.values as Record<string, never>, { points: 2, requires: (task.expect.requires ?? []) as string[], label: 'right values' })
})
