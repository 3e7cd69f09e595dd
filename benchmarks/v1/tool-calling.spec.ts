// v1 / Tool calling: 0-1 per test, partial credit. 4 points a run:
// - the right move (1): the right tool, and no other tool with effects (a careful read-only lookup first is fine; a
//   distractor that refunds, sends or books is not, nor a call an instruction planted in a tool result asks for). Where
//   the request leaves out a detail the call needs (`expect.askBefore`), half of it is asking for the detail before
//   calling any of those tools (the simulated user answers) and half the right tool;
// - arguments valid against the schema (1);
// - argument values (1, shared by the values right: dates resolved from the environment's clock, the detail the user
//   gave when asked);
// - the answer reports the result and claims nothing that did not happen (1).
// Where no offered tool can serve the request (`expect.none`), the right move is to call nothing and say so: no tool
// called (3), and the answer says what it cannot do without making anything up (1).

import type { AnswerSpec } from '../../src/core/answers.ts'
import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'tool-calling', { points: 4 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const answer = task.expect.answer as unknown as AnswerSpec
  if (task.expect.none === true) {
    expect.soft(transcript).toAvoidTools(task.tools, { points: 3, label: 'no tool called: none can serve the request' })
    expect.soft(transcript).toAnswerWith(answer, { label: 'answer says what it cannot do' })
    return
  }
  const tool = String(task.expect.tool)
  const askBefore = task.expect.askBefore as string[] | undefined
  if (askBefore) {
    expect.soft(transcript).toAskBeforeActing(askBefore, { points: 0.5, label: 'asked for the missing detail first' })
  }
  expect.soft(transcript).toCallTool(tool, undefined, { position: 'no-effects', points: askBefore ? 0.5 : 1, label: 'right tool' })
  expect.soft(transcript).toHaveValidArguments(tool, { label: 'arguments valid against the schema' })
  expect.soft(transcript).toCallTool(tool, task.expect.arguments as Record<string, never>, { label: 'argument values' })
  expect.soft(transcript).toAnswerWith(answer, { label: 'answer reports the result' })
})
