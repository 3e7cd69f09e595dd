// Suite identity: the content hash that changes whenever what decides a score changes (the suite's tasks, the
// definitions of the tools it offers, the default data those tools read, and its rubrics: each category's spec file
// and declared points), so the leaderboard never ranks scores from different task sets side by side, and nothing
// outside the suite (another suite, a tool family it does not use) changes it. A change to code the rubrics call
// (checks, matchers) or to a tool's behaviour is not data: bump the suite's version for it.

import type { Category, Environment, JsonSchema, SimulatedTool, Suite, SuiteStamp, Task, ToolEnv } from './types.ts'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { canonical } from './checks.ts'
import { validate } from './validate.ts'

/** The state a run of `task` starts from: the defaults its tools read, with the task's `env` replacing whole top-level keys. */
export function startState(environment: Environment, task: Pick<Task, 'tools' | 'env'>): ToolEnv {
  return structuredClone({ ...environment.defaults(task.tools), ...task.env })
}

/** The tools a task offers, in its order, as `tools` (an environment's, or the catalog) defines them; a name it lacks is left out. */
export const offeredTools = (task: Pick<Task, 'tools'>, tools: ReadonlyMap<string, SimulatedTool>): SimulatedTool[] =>
  task.tools.flatMap(name => tools.get(name) ?? [])

/** The tool names a suite's tasks offer, sorted. */
export const toolsOf = (suite: Suite): string[] => [...new Set(suite.categories.flatMap(category => category.tasks.flatMap(task => task.tools)))].sort()

/**
 * The suite's stamp. `defaults` is the default state its tools read; `rubrics` the text of each category's rubric
 * files (path -> source), as the caller read them.
 */
export function stampSuite(suite: Suite, catalog: ReadonlyMap<string, SimulatedTool>, defaults: ToolEnv, rubrics: Record<string, string> = {}): SuiteStamp {
  const tools = toolsOf(suite).map((name) => {
    const tool = catalog.get(name)
    return tool ? { name, description: tool.description, parameters: tool.parameters } : { name }
  })
  // Where the suite lives on disk and its tool code are not content (the tools' definitions and defaults are, above).
  const { environment: _environment, root: _root, categories, ...rest } = suite
  const data = { ...rest, categories: categories.map(({ source: _source, ...category }) => category) }
  const content = canonical(JSON.parse(JSON.stringify({ suite: data, tools, defaults, rubrics })))
  return { id: suite.id, version: suite.version, hash: createHash('sha256').update(content).digest('hex').slice(0, 16) }
}

const solutionSchema = {
  type: 'array',
  minItems: 1,
  items: {
    anyOf: [
      { type: 'object', required: ['final'], properties: { final: { type: 'string' } } },
      { type: 'object', required: ['calls'], properties: { calls: { type: 'array', items: { type: 'object', required: ['name', 'arguments'], properties: { name: { type: 'string' }, arguments: { type: 'object' } } } }, content: { type: 'string' } } },
    ],
  },
}

const taskSchema = {
  type: 'object',
  required: ['id', 'prompt', 'tools', 'expect', 'solution'],
  properties: {
    id: { type: 'string', pattern: '^[\\w.-]+$' },
    prompt: { type: 'string', minLength: 1 },
    system: { type: 'string' },
    tools: { type: 'array', items: { type: 'string' } },
    env: { type: 'object' },
    expect: { type: 'object' },
    solution: solutionSchema,
    routes: { type: 'array', items: solutionSchema },
    targets: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' } },
    user: { type: 'object', required: ['replies'], additionalProperties: false, properties: { replies: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } } },
    flaws: { type: 'object', additionalProperties: solutionSchema },
    responseFormat: { type: 'object', required: ['name', 'schema'], properties: { name: { type: 'string' }, schema: { type: 'object' } } },
    budgetMs: { type: 'number', exclusiveMinimum: 0 },
    maxSteps: { type: 'integer', minimum: 1 },
  },
}

const categorySchema = {
  type: 'object',
  required: ['id', 'title', 'tasks'],
  properties: { id: { type: 'string' }, title: { type: 'string' }, tasks: { type: 'array', minItems: 1, items: taskSchema } },
}

export interface CategoryOptions {
  /** The failure modes tasks must name in `targets` (fixtures/failure-modes.json): a task without one, or naming another, fails the load. */
  failureModes?: ReadonlySet<string>
  /** JSON Schema of the category's `expect` (what its rubric reads); every task's `expect` is checked against it. */
  expect?: JsonSchema
  /** The category's rubric files (its spec file, and any file of checks only it uses), relative to the project root. */
  rubric?: string[]
  /** The file the tasks come from, relative to the suite's root (default: `file`, when it names a JSON file: a module
   * may hold more than the category's tasks, so only a JSON task file stands for one category alone). */
  source?: string
}

/**
 * A mistake in a task file. Its message names the file, the task and the field, which is all there is to say: the
 * stack would point into the suite loader, not at the mistake, so it is left off what Vitest prints.
 */
class TaskFileError extends Error {
  override name = 'TaskFileError'

  constructor(message: string) {
    super(message)
    this.stack = `milo-bench: ${message}`
  }
}

/**
 * Checks a category file's data (a JSON import) and returns it typed. A mistake in a prompt file fails here with the
 * file, the task and the key that is wrong, instead of as a confusing error deep in a run.
 */
export function loadCategory(data: unknown, file: string, catalog: ReadonlyMap<string, SimulatedTool>, options: CategoryOptions = {}): Category {
  checkOnce([checker, file, data, options.expect ?? null, options.failureModes ? [...options.failureModes].sort() : null, [...catalog.keys()].sort()], () => checkCategory(data, file, catalog, options))
  const category = data as Category
  const source = options.source ?? (/^[\w./-]+\.json$/.test(file) ? file : undefined)
  return { ...category, ...(options.rubric ? { rubric: options.rubric } : {}), ...(source ? { source } : {}) }
}

/**
 * Digests of the category data (with what it was checked against) that passed loadCategory's checks, in this process
 * or in the one that started it. The config checks every task file once in the main process, where a mistake is one
 * line before anything runs, and hands the digests to the workers (MILO_CHECKED_TASKS), so they do not compile and
 * run the same schemas again when they import the suites; data that changed since (an edit in watch mode) has another
 * digest and is checked where it loads.
 */
const checkedTasks = new Set<string>((globalThis.process?.env.MILO_CHECKED_TASKS ?? '').split(' ').filter(digest => digest !== ''))

/** The schema category data is checked against, in every category's digest: another version of it makes each new. */
const checker = createHash('sha256').update(JSON.stringify(categorySchema)).digest('hex')

/**
 * Runs `check` (which throws on bad data) unless data with the same digest passed it already, in this process or in
 * the one that started it. `parts` name the check and hold the data with everything it is checked against (schemas,
 * file, the names it may use): the check's code is not in the digest. Parts that JSON cannot write as they are
 * (undefined, a function, NaN, a Map, a BigInt, a cycle) are checked every time, and a check that throws records nothing.
 */
export function checkOnce(parts: unknown[], check: () => void): void {
  let digest: string | undefined
  try {
    digest = createHash('sha256').update(JSON.stringify(parts, exactJson)).digest('hex').slice(0, 24)
  }
  catch {
    digest = undefined // the check says what is wrong with it
  }
  if (digest !== undefined && checkedTasks.has(digest)) {
    return
  }
  check()
  if (digest !== undefined) {
    checkedTasks.add(digest)
  }
}

/** A JSON.stringify replacer that refuses what JSON would write as something else (or drop), so two digests never meet by it. */
function exactJson(_key: string, value: unknown): unknown {
  const kind = typeof value
  if (kind === 'undefined' || kind === 'function' || kind === 'symbol' || (kind === 'number' && !Number.isFinite(value))) {
    throw new TypeError(`not JSON: ${String(value)}`)
  }
  if (kind === 'object' && value !== null && !Array.isArray(value)) {
    const prototype = Object.getPrototypeOf(value) as unknown
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError('not a plain object')
    }
  }
  return value
}

/** The digests of the category data checked so far, to hand to the processes this one starts. */
export const checkedTaskDigests = (): string[] => [...checkedTasks]

function checkCategory(data: unknown, file: string, catalog: ReadonlyMap<string, SimulatedTool>, options: CategoryOptions): void {
  const { valid, errors } = validate(categorySchema, data)
  if (!valid) {
    throw new TaskFileError(`${file}: ${errors.join('; ')}`)
  }
  const category = data as Category
  const ids = new Set<string>()
  for (const task of category.tasks) {
    if (ids.has(task.id)) {
      throw new TaskFileError(`${file}: task id '${task.id}' appears twice`)
    }
    ids.add(task.id)
    const unknown = task.tools.filter(name => !catalog.has(name))
    if (unknown.length > 0) {
      throw new TaskFileError(`${file}: task '${task.id}' offers tools the suite's environment does not have: ${unknown.join(', ')}`)
    }
    if (options.failureModes) {
      const targets = task.targets ?? []
      const unknownTargets = targets.filter(target => !options.failureModes?.has(target))
      if (targets.length === 0 || unknownTargets.length > 0) {
        throw new TaskFileError(`${file}: task '${task.id}' ${targets.length === 0 ? 'names no failure mode it targets (targets: [...])' : `targets failure modes that fixtures/failure-modes.json does not list: ${unknownTargets.join(', ')}`}`)
      }
    }
    if (options.expect) {
      const checked = validate(options.expect, task.expect)
      if (!checked.valid) {
        throw new TaskFileError(`${file}: task '${task.id}': ${checked.errors.map(error => `expect${error.replace(/^\(root\)/, '')}`).join('; ')}`)
      }
    }
  }
}

/** A category as a user writes it for defineSuite: its tasks as data, its spec file, and what its rubric reads. */
export interface CategoryDefinition {
  id: string
  title: string
  /** The tasks (a JSON import, or objects): each an id, a prompt, the tools it offers, what it expects, a solution. */
  tasks: unknown[]
  /** The spec file holding the category's rubric (relative to the suite's root), then any file of checks only it uses. */
  rubric: string | string[]
  /** JSON Schema of the tasks' `expect`, checked when the suite loads (a typo is one error naming the task and key). */
  expect?: JsonSchema
  /** The file the tasks come from (a JSON file), relative to the suite's root: watch mode reruns only this category when it changes. */
  source?: string
}

/** A suite as a user writes it: its identity, how it is scored, its tools and their state, its categories. */
export interface SuiteDefinition {
  id: string
  title: string
  /** Bump it when a change to code the rubric calls changes scores (content changes change the hash by themselves). */
  version: string
  /** The folder the rubric paths are relative to: `import.meta.dirname`, or a file URL such as `new URL('.', import.meta.url)`. */
  root: string | URL
  /** How task scores become the model's score (default `macro-mean`: the mean of categories). */
  aggregate?: Suite['aggregate']
  /** Most points one run scores (default 1). */
  maxScore?: number
  /** Runs per task, each a fresh conversation (default 1). */
  runs?: number
  /** The tools the tasks may offer, and the state they start from (a task's `env` replaces whole top-level keys). */
  tools?: SimulatedTool[]
  state?: ToolEnv
  /** Or a whole environment instead of `tools` and `state` (the built-in families, for instance). */
  environment?: Environment
  categories: CategoryDefinition[]
}

/**
 * A suite from its definition: each category's tasks checked (their shape, their tools, their `expect` against the
 * category's schema), and its environment built from the tools and state given. Nothing is registered anywhere: hand
 * the suite to defineBenchConfig and to the spec files that describe its categories.
 */
export function defineSuite(definition: SuiteDefinition): Suite {
  const environment: Environment = definition.environment ?? {
    tools: new Map((definition.tools ?? []).map(tool => [tool.name, tool])),
    defaults: () => definition.state ?? {},
  }
  const root = typeof definition.root === 'string' && !definition.root.startsWith('file:') ? definition.root : fileURLToPath(definition.root)
  return {
    id: definition.id,
    title: definition.title,
    version: definition.version,
    maxScore: definition.maxScore ?? 1,
    runs: definition.runs ?? 1,
    aggregate: definition.aggregate ?? 'macro-mean',
    environment,
    root,
    categories: definition.categories.map(category => loadCategory(
      { id: category.id, title: category.title, tasks: category.tasks },
      `suite ${definition.id}, category ${category.id}`,
      environment.tools,
      { rubric: Array.isArray(category.rubric) ? category.rubric : [category.rubric], ...(category.expect ? { expect: category.expect } : {}), ...(category.source ? { source: category.source } : {}) },
    )),
  }
}
