// classic / Tool selection: the right tool among 12 to 20, with near-duplicates (the same verb on another scope, a
// deprecated variant, one that acts on the wrong entity). 3 points a run: the right tool was called and no distractor
// with effects (a careful read-only lookup is fine) / the right argument values / the answer reports the outcome, and
// claims no action that did not happen.
// A request no offered tool can serve (`expect.none`) is answered without calling: no tool with effects (1) / no tool
// at all (1: BFCL's irrelevance rule; a needless lookup costs this point only) / the answer says it cannot be done and
// claims nothing false (1).

import type { AnswerSpec } from '../../src/core/answers.ts'
import type { Json } from '../../src/core/types.ts'
import { catalog, classic } from '../../fixtures/suites.ts'
import { describeCategory } from '../../src/runtime/bench.ts'

describeCategory(classic, 'tool-selection', { points: 3 }, async (task, { run, expect }) => {
  const transcript = await run(task)
  if (task.expect.none === true) {
    const effects = task.tools.filter(name => catalog.get(name)?.readOnly !== true)
    expect.soft(transcript).toAvoidTools(effects, { label: 'no tool with effects' })
    expect.soft(transcript).toAvoidTools(task.tools, { label: 'answered without calling a tool' })
  }
  else {
    const tool = String(task.expect.tool)
    expect.soft(transcript).toCallTool(tool, undefined, { position: 'no-effects', label: 'right tool, no distractor with effects' })
    expect.soft(transcript).toCallTool(tool, task.expect.arguments as Record<string, Json>, { label: 'right argument values' })
  }
  expect.soft(transcript).toAnswerWith(task.expect.answer as unknown as AnswerSpec, { label: 'answer reports the outcome' })
})
