// The support category's rubric: 2 points a run. What the run left behind (the refund in the shop's state, when the
// task asks for one), and an answer that states what the tools returned.

import type { AnswerSpec, StatePattern } from 'milo-bench'
import { describeCategory } from 'milo-bench'
import { shop } from './suite.ts'

describeCategory(shop, 'support', { points: 2 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  if (task.expect.state === undefined) {
    expect.soft(transcript).toAvoidTools(['refund_order'], { label: 'changed nothing' })
  }
  else {
    expect.soft(transcript).toReachState(task.expect.state as StatePattern, { label: 'the refund was made' })
  }
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer states the outcome' })
})
