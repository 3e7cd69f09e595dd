// What a spec file uses: `describeCategory` turns a category's tasks into tests (one per run of each task, so every
// run has its own result, annotations and rerun button), and each test's `run(task)` runs the agent against the
// project's model and records the run in the test's meta.

import type { TestContext } from 'vitest'
import type { ModelClient } from '../models/client.ts'
import type { Settings } from '../protocol.ts'
import type { Agent } from './user-agent.ts'
import type { Environment, ModelSpec, Preflight, RecordedError, RunMeta, Suite, SuiteStamp, Task, Transcript } from '../core/types.ts'
import { describe, inject, recordArtifact, test } from 'vitest'
import { charsPerToken } from '../core/haystack.ts'
import { offeredTools, startState } from '../core/suite.ts'
import { stampOf } from './stamps.ts'
import { runUserAgent } from './user-agent.ts'
import { runAgent } from './agent.ts'
import { capText, capTranscript } from '../core/record-caps.ts'
import { recordedModel } from '../core/rows.ts'
import { openCache } from '../models/cache.ts'
import { createClient } from '../models/client.ts'
import { callFormGrade } from '../core/checks.ts'
import { benchRun } from './matchers.ts'
import { sandboxIsolation, useTestRunCache } from './sandbox.ts'
import { scoreRun } from '../core/scoring.ts'
import { acquireSlot } from './slots.ts'

export interface BenchContext {
  /** Runs a task against this project's model and returns the transcript; every matcher then scores this run. */
  run: (task: Task) => Promise<Transcript>
}

export interface CategoryRubric {
  /** Total points of the checks the spec makes per run; a run scores maxScore x earned / points. */
  points: number
}

/** Scales every time budget (MILO_BUDGET_SCALE, as the config parsed it), so tests can run the budgeted categories in milliseconds. */
export function budgetScale(): number {
  return (inject('settings') as Partial<Settings> | undefined)?.budgetScale ?? 1
}

/** A rough token count (`charsPerToken` characters a token) of what a task sends, to skip tasks that cannot fit a model's context. */
export function estimateTokens(task: Task, environment?: Environment): number {
  const tools = environment ? offeredTools(task, environment.tools) : []
  return Math.ceil(((task.system?.length ?? 0) + task.prompt.length + JSON.stringify(tools).length) / charsPerToken)
}

const clients = new Map<string, ModelClient>()
const agents = new Map<string, Promise<Agent>>()

/** The key of a model's entry, from the worker's environment (`.env` included); never provided or recorded. */
const apiKeyOf = (spec: ModelSpec): string | undefined => (spec.apiKeyEnv ? process.env[spec.apiKeyEnv] : undefined)

/** An agent module's default export, loaded once per worker; a module without one is the config's mistake, said so. */
function loadAgent(module: string): Promise<Agent> {
  let loaded = agents.get(module)
  if (!loaded) {
    loaded = import(/* @vite-ignore */ module).then((exports: { default?: unknown }) => {
      if (typeof exports.default !== 'function') {
        throw new TypeError(`the agent module ${module} has no default export that is a function (export default async function agent(input) { ... })`)
      }
      return exports.default as Agent
    })
    agents.set(module, loaded)
  }
  return loaded
}

function clientFor(spec: ModelSpec, preflight: Preflight): ModelClient {
  let client = clients.get(spec.key)
  if (!client) {
    const apiKey = apiKeyOf(spec)
    const slotsURL = inject('slotsURL')
    const cache = openCache(inject('cache'))
    useTestRunCache(cache)
    client = createClient(spec, {
      baseURL: preflight.baseURL,
      ...(apiKey ? { apiKey } : {}),
      acquire: signal => acquireSlot(slotsURL, spec.key, signal),
      cache,
    })
    clients.set(spec.key, client)
  }
  return client
}

async function runTask(context: TestContext, suite: Suite, stamp: SuiteStamp, task: Task, repeat: number): Promise<Transcript> {
  const environment = suite.environment
  if (!environment) {
    throw new Error(`suite ${suite.id} has no environment (its tools and their state): give the suite one to run it`)
  }
  const spec = inject('model')
  const preflight = inject('preflight') ?? { ok: false, baseURL: spec.baseURL, reason: `${spec.key}: skipped: no endpoint check ran (the config's global setup did not run)` }
  const meta = context.task.meta
  meta.stamp = stamp
  meta.model = recordedModel(spec)
  if (!preflight.ok) {
    meta.skipReason = preflight.reason
    meta.unavailable = true
    context.skip(preflight.reason)
  }
  const needed = estimateTokens(task, environment)
  if (needed > spec.context.tokens) {
    meta.skipReason = `needs about ${needed} tokens; ${spec.key} declares ${spec.context.label}`
    context.skip(meta.skipReason)
  }
  // A coding task (one with hidden tests) runs model-written code: where the sandbox cannot contain it, the task is not
  // run at all and is recorded as not runnable, an infrastructure error rather than the model's 0.
  const sandbox = task.expect.hidden === undefined ? undefined : await sandboxIsolation()
  if (sandbox && !sandbox.ok) {
    const error: RecordedError = { kind: 'sandbox', message: sandbox.reason, infrastructure: true }
    meta.runs = [{ repeat, endReason: 'error', error, calls: 0, toolCalls: 0, toolErrors: 0, textToolCalls: 0, latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0, checks: [] }]
    throw new Error(`infrastructure error (not scored): ${sandbox.reason}`)
  }
  const tools = task.tools.map((name) => {
    const tool = environment.tools.get(name)
    if (!tool) {
      throw new Error(`task ${task.id} names a tool that suite ${suite.id}'s environment does not have: ${name}`)
    }
    return tool
  })
  const budgetMs = task.budgetMs === undefined ? undefined : task.budgetMs * budgetScale()
  const env = startState(environment, task)
  const transcript = spec.agent
    ? await runUserAgent(task, {
      agent: await loadAgent(spec.agent.module),
      key: spec.key,
      tools,
      env,
      ...(spec.model ? { model: { baseURL: preflight.baseURL, model: spec.model, ...(apiKeyOf(spec) ? { apiKey: apiKeyOf(spec) } : {}) } } : {}),
      ...(budgetMs === undefined ? {} : { budgetMs }),
      signal: context.signal,
    })
    : await runAgent(task, {
      spec,
      repeat,
      taskKey: `${suite.id}/${task.id}`,
      client: clientFor(spec, preflight),
      tools,
      env,
      ...(budgetMs === undefined ? {} : { budgetMs }),
      signal: context.signal,
    })
  const run: RunMeta = {
    repeat,
    endReason: transcript.endReason,
    ...(transcript.error ? { error: transcript.error } : {}),
    calls: transcript.steps.length,
    toolCalls: transcript.toolCalls.length,
    toolErrors: transcript.toolCalls.filter(call => call.outcome?.ok === false).length,
    wellFormed: transcript.toolCalls.reduce((sum, call) => sum + callFormGrade(transcript, call).grade, 0),
    textToolCalls: transcript.steps.reduce((n, step) => n + step.textToolCalls, 0),
    latencyMs: Math.round(transcript.latencyMs * 1000) / 1000,
    usage: transcript.usage,
    // Per call, for prices that depend on a call's prompt size (src/core/pricing.ts).
    stepUsage: transcript.steps.map(step => step.usage),
    retries: transcript.retries,
    checks: [],
    ...(transcript.steps.some(step => step.cached) ? { cached: true } : {}),
    ...(sandbox?.ok ? { sandbox: sandbox.used } : {}),
  }
  meta.runs = [run]
  // Small enough to send to the reporter: no environment, every text and list capped (src/core/record-caps.ts).
  await recordArtifact(context.task, { type: 'milo:transcript', repeat, transcript: capTranscript({ ...transcript, env: {} }) })
  if (transcript.error?.infrastructure) {
    throw new Error(`infrastructure error (not scored): ${transcript.error.message}`)
  }
  return Object.assign(transcript, { [benchRun]: context.task.id })
}

/** Why a run's checks do not add up to the points its rubric declares, naming the spec file; undefined when they do. */
export function declaredPointsProblem(file: string, checks: readonly { points: number }[], declared: number): string | undefined {
  const total = checks.reduce((sum, check) => sum + check.points, 0)
  return Math.abs(total - declared) > 1e-9
    ? `${file}: the checks of this run are worth ${Number(total.toFixed(6))} points, but describeCategory declares { points: ${declared} }; make them agree`
    : undefined
}

/**
 * A rubric's checks must be worth the points it declares, or a run's score would not be the share it earned: a spec
 * file whose checks add up to another total fails its tests, naming the file.
 */
function checkDeclaredPoints(context: TestContext, declared: number): void {
  const run = context.task.meta.runs?.at(-1)
  const problem = run && declaredPointsProblem(context.task.file.name, run.checks, declared)
  if (problem) {
    throw new Error(problem)
  }
}

/** One line per run in the UI and the HTML report: its score and why it lost points. */
async function annotateRun(context: TestContext, maxScore: number, points: number): Promise<void> {
  const run = context.task.meta.runs?.at(-1)
  if (!run) {
    return
  }
  const repeat = run.repeat
  const score = scoreRun(run, maxScore, points)
  // A check's message can quote the model's output: a line each, of a readable length, in the UI and the terminal.
  const lost = run.checks.filter(check => !check.pass).map(check => `✗ ${capText(check.name, 200)}: ${capText(check.message, 500)}`)
  const head = score === null
    ? `run ${repeat + 1}: not scored (${run.error?.message ?? 'infrastructure error'})`
    : `run ${repeat + 1}: ${Number(score.toFixed(2))}/${maxScore} (${run.endReason}, ${run.calls} model calls, ${run.toolCalls} tool calls)`
  // A failed soft assertion already marks the test failed, and annotate() refuses a test that is not running: the
  // summary is written while the test is still, in fact, running its body's last step (Vitest 4.1.12 internals).
  const result = context.task.result
  const state = result?.state
  if (result) {
    result.state = 'run'
  }
  const annotation = context.annotate([head, ...lost].join('\n'), score === maxScore ? 'notice' : 'warning')
  if (result && state) {
    result.state = state
  }
  await annotation
}

/**
 * Declares a category's tests: per task, one test per run (`run 1`, `run 2`, ... in a describe named by the task; a
 * single test named by the task when the suite runs each task once), all concurrent. The body is the rubric: each
 * matcher call is a check worth its `points`, and the run's score is the share of points earned.
 */
export function describeCategory(
  suite: Suite,
  categoryId: string,
  rubric: CategoryRubric,
  body: (task: Task, context: TestContext & BenchContext) => Promise<void> | void,
): void {
  const category = suite.categories.find(c => c.id === categoryId)
  if (!category) {
    throw new Error(`suite ${suite.id} has no category '${categoryId}'; it has: ${suite.categories.map(c => c.id).join(', ')}`)
  }
  const stamp = stampOf(suite)
  const categoryMeta = { suite: suite.id, category: category.id, maxScore: suite.maxScore, points: rubric.points }
  describe(category.title, { concurrent: true }, () => {
    for (const task of category.tasks) {
      const timeout = (task.budgetMs ?? 0) * budgetScale() + 600_000
      const declare = (name: string, repeat: number): void => {
        test(name, { meta: { ...categoryMeta, taskId: task.id, run: repeat }, timeout }, async (context) => {
          const bench = Object.assign(context, { run: (t: Task) => runTask(context, suite, stamp, t, repeat) })
          try {
            await body(task, bench)
            checkDeclaredPoints(context, rubric.points)
          }
          finally {
            await annotateRun(context, suite.maxScore, rubric.points)
          }
        })
      }
      if (suite.runs === 1) {
        declare(task.id, 0)
      }
      else {
        describe(task.id, () => {
          for (let repeat = 0; repeat < suite.runs; repeat++) {
            declare(`run ${repeat + 1}`, repeat)
          }
        })
      }
    }
  })
}
