// The model matrix as data: entries from fixtures/models.ts plus the `custom` entry from MILO_* variables, checked
// and turned into the specs each Vitest project receives. Pure: the environment is passed in.

import type { ModelEntry, ModelSpec, ServerKind } from './types.ts'
import { presets, strictFieldProblems } from './presets.ts'

type Env = Record<string, string | undefined>

/** A positive number from the environment, or the default; anything else is an error naming the variable. */
export function positiveNumber(env: Env, name: string, fallback: number, integer = true): number {
  const raw = env[name]
  if (raw === undefined || raw === '') {
    return fallback
  }
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name}=${raw} is not a positive ${integer ? 'whole number' : 'number'}`)
  }
  return value
}

const isLoopback = (url: string): boolean => /^https?:\/\/(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?(?:\/|$)/i.test(url)

/** The `custom` project from MILO_BASE_URL, MILO_MODEL and optional MILO_API_KEY, MILO_SERVER, MILO_CONTEXT, MILO_STREAM, MILO_TIMEOUT_MS. */
export function customEntry(env: Env): ModelEntry | undefined {
  const baseURL = env.MILO_BASE_URL
  const model = env.MILO_MODEL
  if (!baseURL || !model) {
    return undefined
  }
  const server = (env.MILO_SERVER ?? 'vllm') as ServerKind
  if (!(server in presets)) {
    throw new Error(`MILO_SERVER=${server} is not a server kind; use one of: ${Object.keys(presets).join(', ')}`)
  }
  const contextTokens = positiveNumber(env, 'MILO_CONTEXT', 131_072)
  return {
    name: env.MILO_NAME ?? `custom (${model})`,
    model,
    baseURL,
    server,
    where: isLoopback(baseURL) ? 'local' : 'cloud',
    context: { label: `${Math.round(contextTokens / 1024)}K`, tokens: contextTokens },
    ...(env.MILO_API_KEY ? { apiKeyEnv: 'MILO_API_KEY' } : {}),
    concurrency: positiveNumber(env, 'MILO_CONCURRENCY', isLoopback(baseURL) ? 1 : 4),
    ...(env.MILO_STREAM === '1' ? { stream: true } : {}),
    ...(env.MILO_TIMEOUT_MS ? { requestTimeoutMs: positiveNumber(env, 'MILO_TIMEOUT_MS', 300_000) } : {}),
  }
}

/** Checks every entry and returns the specs, `custom` last. Throws one message listing every problem. */
export function resolveModels(entries: Record<string, ModelEntry>, env: Env): ModelSpec[] {
  const custom = customEntry(env)
  const all: [string, ModelEntry][] = [...Object.entries(entries), ...(custom ? [['custom', custom] as [string, ModelEntry]] : [])]
  const problems: string[] = []
  if (env.MILO_BASE_URL && !env.MILO_MODEL) {
    problems.push('MILO_BASE_URL is set but MILO_MODEL is not: the custom project needs both')
  }
  for (const [key, entry] of all) {
    if (!/^[\w.-]+$/.test(key)) {
      problems.push(`model key '${key}' may hold only letters, digits, '_', '.' and '-' (it becomes a --project name)`)
    }
    if (!(entry.server in presets)) {
      problems.push(`${key}: server '${entry.server}' is not one of ${Object.keys(presets).join(', ')}`)
    }
    if (entry.baseURL !== 'embedded' && !/^https?:\/\//.test(entry.baseURL)) {
      problems.push(`${key}: baseURL '${entry.baseURL}' must start with http:// or https:// (or be 'embedded')`)
    }
    if (!entry.context || !(entry.context.tokens > 0)) {
      problems.push(`${key}: context.tokens must be a positive number`)
    }
    problems.push(...strictFieldProblems(key, entry))
  }
  if (problems.length > 0) {
    throw new Error(`fixtures/models.ts: ${problems.join('; ')}`)
  }
  return all.map(([key, entry]) => ({
    ...entry,
    key,
    baseURL: (entry.baseURLEnv && env[entry.baseURLEnv]) || entry.baseURL,
    concurrency: entry.concurrency ?? (entry.where === 'local' ? 1 : 4),
  }))
}

/** The `--project` filters on a Vitest command line (`--project x`, `--project=x`), in order. */
export function projectFilters(argv: readonly string[]): string[] {
  const filters: string[] = []
  argv.forEach((arg, i) => {
    if (arg === '--project' && argv[i + 1] !== undefined) {
      filters.push(argv[i + 1] as string)
    }
    else if (arg.startsWith('--project=')) {
      filters.push(arg.slice('--project='.length))
    }
  })
  return filters
}

/**
 * One line for each `--project` filter that matches no model, as Vitest matches them (anchored, case-insensitive,
 * `*` wildcards, `!` to exclude); empty when all match.
 */
export function unmatchedProjects(filters: readonly string[], keys: readonly string[]): string[] {
  const problems: string[] = []
  for (const filter of filters) {
    if (filter.startsWith('!')) {
      continue
    }
    const pattern = new RegExp(`^${filter.split('*').map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i')
    if (!keys.some(key => pattern.test(key))) {
      const hint = filter === 'custom' ? ' (set MILO_BASE_URL and MILO_MODEL to define it)' : ''
      problems.push(`milo-bench: no model '${filter}' in fixtures/models.ts${hint}; known: ${keys.join(', ')}`)
    }
  }
  return problems
}
