// v1 / Agentic workflow: research / install / deploy tasks in the simulated DevOps environment (a shell over a virtual
// file system, a package registry, CI, deploy targets, an internal docs index: fixtures/src/tools/devops.ts), each
// with a 90 s budget. 5 points a run:
// - milestones (4, shared equally): each an end state reached (toReachState on the run's environment: all or nothing,
//   so what the starting state already holds earns nothing), a call made, or a chain of calls in order; the end state
//   is what the run left when it ended, so a run cut off by its budget keeps the milestones it had reached;
// - the final answer reports the outcome (1), the share of expected facts mentioned.

import type { ChainStep, StatePattern } from '../../src/checks.ts'
import type { Json } from '../../src/types.ts'
import { v1 } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/bench.ts'

/** A milestone as fixtures write it: an end state, a call (with arguments), or a chain of calls. */
interface Milestone {
  label: string
  state?: StatePattern
  called?: string
  args?: Record<string, Json>
  chain?: ChainStep[]
}

describeCategory(v1, 'agentic-workflow', { points: 5 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  const milestones = task.expect.milestones as unknown as Milestone[]
  const points = 4 / milestones.length
  for (const milestone of milestones) {
    const options = { points, label: milestone.label }
    if (milestone.state !== undefined) {
      expect.soft(transcript).toReachState(milestone.state, options)
    }
    else if (milestone.called !== undefined) {
      expect.soft(transcript).toCallTool(milestone.called, milestone.args, options)
    }
    else if (milestone.chain !== undefined) {
      expect.soft(transcript).toFollowChain(milestone.chain, options)
    }
    else {
      throw new Error(`agentic task ${task.id}: milestone '${milestone.label}' needs state, called or chain`)
    }
  }
  expect.soft(transcript).toAnswerWith(task.expect.answer as string[], { label: 'answer reports the outcome' })
})
