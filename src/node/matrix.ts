// The model matrix as data: entries from fixtures/models.ts plus the `custom` entry from MILO_* variables, checked
// and turned into the specs each Vitest project receives. Pure: the environment is passed in.

import type { ModelEntry, ModelSpec, ServerKind } from '../core/types.ts'
import { presets, strictFieldProblems } from '../models/presets.ts'
import { modelEntryKeys, modelParamsKeys, modelWhere, reasoningHandlings } from '../core/types.ts'

type Env = Record<string, string | undefined>

/** Every problem found in the model matrix, one line each. */
export class ModelMatrixError extends Error {
  constructor(readonly problems: string[]) {
    super(`fixtures/models.ts: ${problems.join('; ')}`)
    this.name = 'ModelMatrixError'
  }
}

/** Edit distance between two words, case-insensitive (for did-you-mean). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let row = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const next = [i]
    for (let j = 1; j <= y.length; j++) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    row = next
  }
  return row[y.length] ?? 0
}

/** The known word closest to `word`, when it is close enough to be a typo of it (`clould` -> `cloud`). */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of known) {
    const d = distance(word, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined
}

const hint = (word: string, known: readonly string[]): string => {
  const guess = didYouMean(word, known)
  return guess === undefined ? `known: ${known.join(', ')}` : `did you mean '${guess}'?`
}

/** Why `value` is not a usable base URL (http(s), a host, a port in range), or undefined when it is one. */
function urlProblem(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  }
  catch {
    return 'is not a URL; write it as http://host:port/v1'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'must start with http:// or https://'
  }
  return url.hostname === '' ? 'has no host; write it as http://host:port/v1' : undefined
}

const isPositive = (value: unknown, integer: boolean): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value))

/**
 * What is wrong with one entry as written: unknown keys (with a did-you-mean), values of the wrong type, `where`,
 * `server` and `reasoning` outside their values. The entry comes from a TypeScript file, but nothing type-checks it
 * before a run, and a user's matrix may be plain JavaScript.
 */
function entryProblems(key: string, entry: ModelEntry): string[] {
  const problems: string[] = []
  const loose = entry as unknown as Record<string, unknown>
  const entryKeys = Object.keys(modelEntryKeys)
  for (const field of Object.keys(loose).filter(field => !(field in modelEntryKeys))) {
    problems.push(`${key}: unknown field '${field}'; ${hint(field, entryKeys)}`)
  }
  for (const field of ['name', 'model', 'baseURL'] as const) {
    if (typeof loose[field] !== 'string' || loose[field] === '') {
      problems.push(`${key}: ${field} must be a non-empty string`)
    }
  }
  for (const field of ['apiKeyEnv', 'baseURLEnv'] as const) {
    if (loose[field] !== undefined && (typeof loose[field] !== 'string' || !/^[A-Za-z_]\w*$/.test(loose[field] as string))) {
      problems.push(`${key}: ${field} must be the name of an environment variable, e.g. 'MY_API_KEY'`)
    }
  }
  if (!(String(entry.server) in presets)) {
    problems.push(`${key}: server '${String(entry.server)}' is not a server kind; ${hint(String(entry.server), Object.keys(presets))}`)
  }
  if (!(String(entry.where) in modelWhere)) {
    problems.push(`${key}: where '${String(entry.where)}' is not one of ${Object.keys(modelWhere).join(', ')}${didYouMean(String(entry.where), Object.keys(modelWhere)) ? `; ${hint(String(entry.where), Object.keys(modelWhere))}` : ''}`)
  }
  if (entry.reasoning !== undefined && !(String(entry.reasoning) in reasoningHandlings)) {
    problems.push(`${key}: reasoning '${String(entry.reasoning)}' is not one of ${Object.keys(reasoningHandlings).join(', ')}`)
  }
  if (entry.params !== undefined) {
    if (typeof entry.params !== 'object' || entry.params === null) {
      problems.push(`${key}: params must be an object`)
    }
    else {
      for (const field of Object.keys(entry.params).filter(field => !(field in modelParamsKeys))) {
        problems.push(`${key}: unknown field 'params.${field}'; ${hint(field, Object.keys(modelParamsKeys))}`)
      }
      if (entry.params.maxOutputTokens !== undefined && !isPositive(entry.params.maxOutputTokens, true)) {
        problems.push(`${key}: params.maxOutputTokens must be a positive whole number`)
      }
    }
  }
  if (entry.concurrency !== undefined && !isPositive(entry.concurrency, true)) {
    problems.push(`${key}: concurrency must be a positive whole number`)
  }
  if (entry.requestTimeoutMs !== undefined && !isPositive(entry.requestTimeoutMs, true)) {
    problems.push(`${key}: requestTimeoutMs must be a positive whole number of milliseconds`)
  }
  for (const field of ['stream', 'lenientTextToolCalls'] as const) {
    if (loose[field] !== undefined && typeof loose[field] !== 'boolean') {
      problems.push(`${key}: ${field} must be true or false`)
    }
  }
  return problems
}

/**
 * A number from the environment, the one parser of every numeric MILO_* setting: undefined when unset or empty; a
 * value `accepts` refuses (or no number at all) is an error `<name>=<raw> is not <takes>`.
 */
export function numberSetting(env: Env, name: string, accepts: (value: number) => boolean, takes: string): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') {
    return undefined
  }
  const value = Number(raw)
  if (!Number.isFinite(value) || !accepts(value)) {
    throw new Error(`${name}=${raw} is not ${takes}`)
  }
  return value
}

/** A positive number from the environment, or the default; anything else is an error naming the variable. */
export function positiveNumber(env: Env, name: string, fallback: number, integer = true): number {
  return numberSetting(env, name, value => value > 0 && (!integer || Number.isInteger(value)), `a positive ${integer ? 'whole number' : 'number'}`) ?? fallback
}

const isLoopback = (url: string): boolean => /^https?:\/\/(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?(?:\/|$)/i.test(url)

/** The `custom` project from MILO_BASE_URL, MILO_MODEL and optional MILO_API_KEY, MILO_SERVER, MILO_CONTEXT, MILO_STREAM, MILO_TIMEOUT_MS. */
export function customEntry(env: Env): ModelEntry | undefined {
  const baseURL = env.MILO_BASE_URL
  const model = env.MILO_MODEL
  if (!baseURL || !model) {
    return undefined
  }
  const server = (env.MILO_SERVER || 'vllm') as ServerKind
  if (!(server in presets)) {
    throw new Error(`MILO_SERVER=${server} is not a server kind; ${didYouMean(server, Object.keys(presets)) ? hint(server, Object.keys(presets)) : `use one of: ${Object.keys(presets).join(', ')}`}`)
  }
  const wrong = urlProblem(baseURL)
  if (wrong) {
    throw new Error(`MILO_BASE_URL=${baseURL} ${wrong}`)
  }
  if (env.MILO_STREAM !== undefined && !['', '0', '1'].includes(env.MILO_STREAM)) {
    throw new Error(`MILO_STREAM=${env.MILO_STREAM} is not 0 or 1`)
  }
  const contextTokens = positiveNumber(env, 'MILO_CONTEXT', 131_072)
  return {
    // The row names the endpoint too: runs against two endpoints are two rows (src/core/rows.ts).
    name: env.MILO_NAME ?? `custom (${model} @ ${new URL(baseURL).host})`,
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

/** Checks every entry and returns the specs, `custom` last. Throws a ModelMatrixError listing every problem. */
export function resolveModels(entries: Record<string, ModelEntry>, env: Env): ModelSpec[] {
  const problems: string[] = []
  let custom: ModelEntry | undefined
  try {
    custom = customEntry(env)
  }
  catch (error) {
    problems.push((error as Error).message)
  }
  const all: [string, ModelEntry][] = [...Object.entries(entries), ...(custom ? [['custom', custom] as [string, ModelEntry]] : [])]
  if (env.MILO_BASE_URL && !env.MILO_MODEL) {
    problems.push('MILO_BASE_URL is set but MILO_MODEL is not: the custom project needs both')
  }
  for (const [key, entry] of all) {
    if (!/^[\w.-]+$/.test(key)) {
      problems.push(`model key '${key}' may hold only letters, digits, '_', '.' and '-' (it becomes a --project name)`)
    }
    problems.push(...entryProblems(key, entry))
    const wrong = typeof entry.baseURL === 'string' && entry.baseURL !== 'embedded' ? urlProblem(entry.baseURL) : undefined
    if (wrong) {
      problems.push(`${key}: baseURL '${entry.baseURL}' ${wrong} (or 'embedded')`)
    }
    const override = entry.baseURLEnv ? env[entry.baseURLEnv] : undefined
    const overrideWrong = override ? urlProblem(override) : undefined
    if (overrideWrong) {
      problems.push(`${entry.baseURLEnv}=${override} ${overrideWrong}`)
    }
    if (!entry.context || !(entry.context.tokens > 0)) {
      problems.push(`${key}: context.tokens must be a positive number`)
    }
    if (entry.server in presets) {
      problems.push(...strictFieldProblems(key, entry))
    }
  }
  if (problems.length > 0) {
    throw new ModelMatrixError(problems)
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
