// v1 / Coding: the model writes code through tools (write a file, run the visible tests); hidden tests, run in the
// sandbox against the files the run left (also when it ran out of its 110 s budget), decide the score. Partial credit:
// the share of hidden tests passing (5 of 7 passing scores 0.71).

import { v1 } from '../../fixtures/suites.ts'
import { runHiddenTests } from '../../fixtures/src/tools/code.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'coding', { points: 1 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const hidden = await runHiddenTests(task, transcript.env)
  expect.soft(transcript).toPassHiddenTests(hidden, { partial: true, label: 'share of hidden tests passing' })
})
