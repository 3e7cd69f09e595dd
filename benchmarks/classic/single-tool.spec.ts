// classic / Single tool: one obvious tool among a few. 3 points a run:
// the right tool, and no other tool with effects (1) / arguments valid against its schema (0.5) / the right argument
// values (0.5) / the answer reports what the tool returned (1: answers.ts, facts by meaning, grounded in the result).
// Where the request leaves a required detail out (`expect.ask`: the tools that need it), the first point goes to
// asking for it before calling any of them instead (the simulated user answers); the values must then be the ones the
// user gave, so guessing loses the ask point and the values.

import type { AnswerSpec } from '../../src/core/answers.ts'
import type { Json } from '../../src/core/types.ts'
import { classic } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(classic, 'single-tool', { points: 3 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const tool = String(task.expect.tool)
  const ask = task.expect.ask as string[] | undefined
  if (ask) {
    expect.soft(transcript).toAskBeforeActing(ask, { label: 'asked for the missing detail before acting' })
  }
  else {
    expect.soft(transcript).toCallTool(tool, undefined, { position: 'no-effects', label: 'right tool' })
  }
  expect.soft(transcript).toHaveValidArguments(tool, { points: 0.5, label: 'arguments valid against the schema' })
  expect.soft(transcript).toCallTool(tool, task.expect.arguments as Record<string, Json>, { points: 0.5, label: 'right argument values' })
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer reports the result' })
})
