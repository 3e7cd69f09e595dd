// Suite identity: the content hash that changes whenever a task, a tool definition or a tool's default data changes,
// so the leaderboard never ranks scores from different task sets side by side. A change to a tool's behaviour alone
// (its code) is not data: bump the suite's version for it.

import type { Suite, SuiteStamp, ToolEnv } from './types.ts'
import type { SimulatedTool } from './types.ts'
import { createHash } from 'node:crypto'
import { canonical } from './checks.ts'

export function stampSuite(suite: Suite, catalog: ReadonlyMap<string, SimulatedTool>, defaults: ToolEnv): SuiteStamp {
  const used = [...new Set(suite.categories.flatMap(category => category.tasks.flatMap(task => task.tools)))].sort()
  const tools = used.map((name) => {
    const tool = catalog.get(name)
    return tool ? { name, description: tool.description, parameters: tool.parameters } : { name }
  })
  const content = canonical(JSON.parse(JSON.stringify({ suite: { ...suite }, tools, defaults })))
  return { id: suite.id, version: suite.version, hash: createHash('sha256').update(content).digest('hex').slice(0, 16) }
}
