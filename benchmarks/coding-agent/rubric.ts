// The coding-agent rubric, shared by its three category spec files. A run's 10 points mirror the composite's weights
// (compositeWeights in src/core/rules.ts, the one place they are written): tool calls well-formed (5, partial: their mean
// form grade, tool_call_success as the seed's grader defines it), hidden tests passing at the end (3, all or nothing:
// task completion), and no rework (2). The suite's score is not the mean of these runs but the composite of the
// metrics pooled over all runs (src/core/scoring.ts agentMetrics); the run flags it reads are set by the last two matchers.

import type { TestContext } from 'vitest'
import type { BenchContext } from '../../src/runtime/bench.ts'
import type { Task } from '../../src/core/types.ts'
import { fileJournal, runHiddenTests } from '../../fixtures/src/tools/code.ts'
import { compositeWeights } from '../../src/core/rules.ts'

export const points = 10

export async function codingAgentRubric(task: Task, { run, expect }: TestContext & BenchContext): Promise<void> {
  const transcript = await run(task)
  // The repository the run left behind, whatever ended it (a final answer, the step cap, the time budget).
  const hidden = await runHiddenTests(task, transcript.env)
  expect.soft(transcript).toCallToolsWellFormed({ points: points * compositeWeights.toolCallSuccess, label: 'tool calls well-formed (tool_call_success)' })
  expect.soft(transcript).toPassHiddenTests(hidden, { points: points * compositeWeights.taskCompletion, label: 'hidden tests pass (task_completion)' })
  expect.soft(transcript).toAvoidRework(fileJournal(transcript.env), { points: points * compositeWeights.noRework, label: 'no rework (rework_rate)' })
}
