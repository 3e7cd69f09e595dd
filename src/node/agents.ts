// Agents of the user's own as projects (main process): each agent entry becomes a model spec whose `agent` names the
// module the workers run instead of milo-bench's agent loop, bound to the model it calls (a reference model of the
// embedded server, or an entry of the matrix).

import type { AgentEntry } from './config.ts'
import type { ModelSpec } from '../core/types.ts'
import { isAbsolute, join } from 'node:path'
import { referenceModels } from './reference-server.ts'

/** The specs of the agents, checked: one error listing every problem. */
export function agentSpecs(agents: Record<string, AgentEntry>, models: readonly ModelSpec[], root: string): ModelSpec[] {
  const problems: string[] = []
  const specs: ModelSpec[] = []
  for (const [key, agent] of Object.entries(agents)) {
    if (models.some(model => model.key === key)) {
      problems.push(`agent '${key}': a model has that key too; a key names one project`)
      continue
    }
    const module = isAbsolute(agent.module) ? agent.module : join(root, agent.module)
    const bound = agent.model === undefined ? undefined : models.find(model => model.key === agent.model)
    const reference = agent.model !== undefined && (referenceModels as readonly string[]).includes(agent.model) && !bound
    if (agent.model !== undefined && !bound && !reference) {
      problems.push(`agent '${key}': model '${agent.model}' is neither a key of models nor a reference model (${referenceModels.join(', ')})`)
      continue
    }
    const base = bound ?? { model: agent.model ?? '', baseURL: 'embedded', server: 'reference' as const, where: 'embedded' as const, context: { label: '1M', tokens: 1_000_000 } }
    specs.push({
      ...base,
      key,
      name: agent.name,
      where: agent.where ?? base.where,
      concurrency: agent.concurrency ?? 4,
      ...(agent.notes ? { notes: agent.notes } : {}),
      agent: { module },
    })
  }
  if (problems.length > 0) {
    throw new Error(`milo-bench: ${problems.join('; ')}`)
  }
  return specs
}
