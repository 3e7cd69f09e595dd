// v1 / Agentic workflow: research / install / deploy tasks in the simulated DevOps environment (a shell over a virtual
// file system, a package registry, CI, deploy targets, an internal docs index: fixtures/src/tools/devops.ts), each
// with a 90 s budget. 5 points a run:
// - milestones (4, shared equally): each an end state reached (all or nothing, so what the starting state already
//   holds earns nothing), a call made, a chain of calls in order, or any of several of these (another valid route);
//   the end state is what the run left when it ended, so a run cut off by its budget keeps the milestones it reached;
// - the final answer reports the outcome (1): facts by meaning, ids read from the end state, no false claims.

import type { AnswerSpec } from '../../src/core/answers.ts'
import type { Milestone } from '../../src/core/checks.ts'
import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(v1, 'agentic-workflow', { points: 5 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const milestones = task.expect.milestones as unknown as Milestone[]
  for (const milestone of milestones) {
    expect.soft(transcript).toReachMilestone(milestone, { points: 4 / milestones.length })
  }
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer reports the outcome' })
})
