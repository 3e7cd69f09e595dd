// v1 / Long context: needle-in-a-haystack over generated memos from 8K to 120K tokens (fixtures/v1/long-context.json,
// built by src/haystack.ts at run time). 1 point a run, shared by the needles: the answer states each needle's value,
// so one of three found scores 0.33. A haystack bigger than the model's declared context is skipped for that model.

import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/bench.ts'

describeCategory(v1, 'long-context', { points: 1 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const needles = task.expect.needles as string[]
  expect.soft(transcript).toAnswerWith(needles, { label: `${needles.length} needle(s) found in ${String(task.expect.tokens)} tokens` })
})
