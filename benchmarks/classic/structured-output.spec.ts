// classic / Structured output: the final answer is JSON, asked for with `response_format` (a JSON Schema) or in the
// prompt alone (servers without response_format get the same prompt, which always asks for JSON).
// 3 points a run: the answer is JSON in the form the prompt asks for (every classic prompt asks for JSON alone, so a
// code fence or prose around it earns half) / valid against the schema (ajv) / the right values, from the tools the
// prompt says to use (`expect.requires`: values never obtained from them earn nothing).

import type { Json, JsonSchema } from '../../src/core/types.ts'
import { classic } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(classic, 'structured-output', { points: 3 }, async (task, { run, expect }) => {
  const schema = task.responseFormat?.schema ?? task.expect.schema as JsonSchema | undefined
  if (schema === undefined) {
    throw new Error(`task ${task.id}: a structured-output task needs responseFormat or expect.schema`)
  }
  const transcript = await run(task)
  expect.soft(transcript).toAnswerWithJson({ only: task.expect.jsonOnly === true, label: 'answer is JSON in the form asked for' })
  expect.soft(transcript).toMatchSchema(schema, { label: 'valid against the schema' })
  expect.soft(transcript).toAnswerJsonMatching(task.expect.values as Record<string, Json>, { requires: (task.expect.requires ?? []) as string[], label: 'right values' })
})
