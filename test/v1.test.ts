// Suite v1.0 (the seed's round 2): its shape, its reference solutions against the simulated tools, the DevOps
// environment of the agentic category, and end-to-end runs that show the seed's effects: a chain that dropped its final
// step (0.60), haystacks skipped for a small context, and the latency paradox (same answers, slower model, lost budget).

import type { ReferenceServer } from '../src/node/reference-server.ts'
import type { Json, RunRecord, Task, ToolEnv, ToolOutcome, Transcript } from '../src/core/types.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { catalog, freshEnv, suites, v1 } from '../fixtures/suites.ts'
import { fingerprint, runShell } from '../fixtures/src/tools/devops.ts'
import { answersWithinCalls, reachesState } from '../src/core/checks.ts'
import { startReferenceServer } from '../src/node/reference-server.ts'
import { runToolCall } from '../src/runtime/tool-runner.ts'
import { runBench } from './support/run-bench.ts'

/** The seed's categories in its order, with its test counts (coding runs its hidden tests in the sandbox). */
const seedCategories: [string, number][] = [['tool-calling', 5], ['multi-step', 4], ['structured-output', 5], ['long-context', 4], ['coding', 5], ['cost-efficiency', 4], ['agentic-workflow', 5]]

const tasksOf = (id: string): Task[] => v1.categories.find(category => category.id === id)?.tasks ?? []

/** Replays a task's reference solution against the simulated tools, as the oracle's run would, without a model. */
async function replay(task: Task): Promise<{ env: ToolEnv, outcomes: { name: string, outcome: ToolOutcome }[] }> {
  const env = freshEnv(task.env)
  const outcomes: { name: string, outcome: ToolOutcome }[] = []
  for (const turn of task.solution) {
    for (const call of 'calls' in turn ? turn.calls : []) {
      outcomes.push({ name: call.name, outcome: await runToolCall(catalog, call.name, call.arguments, env) })
    }
  }
  return { env, outcomes }
}

describe('the v1 suite', () => {
  it('has the seed\'s seven categories, in its order, with its test counts: 32 tests', () => {
    expect(v1.categories.map(category => [category.id, category.tasks.length])).toEqual(seedCategories)
    expect(v1.categories.reduce((n, category) => n + category.tasks.length, 0)).toBe(32)
    expect(v1).toMatchObject({ maxScore: 1, runs: 1, aggregate: 'macro-mean' })
  })

  it('every reference solution (coding aside) runs against the simulated tools without a tool error', async () => {
    for (const category of v1.categories.filter(c => c.id !== 'coding')) {
      for (const task of category.tasks) {
        const { outcomes } = await replay(task)
        const failed = outcomes.filter(({ outcome }) => !outcome.ok)
        expect(failed, `${category.id}/${task.id}`).toEqual([])
      }
    }
  })

  it('multi-step chains have 3 to 5 steps, and each solution makes one call per step', () => {
    for (const task of tasksOf('multi-step')) {
      const chain = task.expect.chain as Json[]
      expect(chain.length, task.id).toBeGreaterThanOrEqual(3)
      expect(chain.length, task.id).toBeLessThanOrEqual(5)
      expect(task.solution.flatMap(turn => ('calls' in turn ? turn.calls : [])), task.id).toHaveLength(chain.length)
    }
  })

  it('cost-efficiency solutions make exactly the minimal number of calls the rubric pays for', () => {
    for (const task of tasksOf('cost-efficiency')) {
      expect(task.solution.flatMap(turn => ('calls' in turn ? turn.calls : [])), task.id).toHaveLength(Number(task.expect.minimalCalls))
    }
  })

  it('agentic tasks have a 90 s budget; each end-state milestone holds after the solution and not before it', async () => {
    const tasks = tasksOf('agentic-workflow')
    expect(tasks).toHaveLength(5)
    for (const task of tasks) {
      expect(task.budgetMs, task.id).toBe(90_000)
      const milestones = task.expect.milestones as { label: string, state?: Json }[]
      const { env } = await replay(task)
      for (const milestone of milestones.filter(m => m.state !== undefined)) {
        expect(reachesState(freshEnv(task.env), milestone.state ?? null).pass, `${task.id}: '${milestone.label}' holds before any work`).toBe(false)
        expect(reachesState(env, milestone.state ?? null), `${task.id}: '${milestone.label}'`).toMatchObject({ pass: true, score: 1 })
      }
    }
  })
})

describe('the v1 checks', () => {
  const transcript = (calls: number, finalText: string | null): Transcript => ({
    taskId: 't', model: 'm', messages: [{ role: 'tool', tool_call_id: 'c0', content: '{"city":"Sydney","temperature":27}' }], tools: [], steps: [], finalText, endReason: 'final', env: {}, latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0,
    toolCalls: Array.from({ length: calls }, (_, i) => ({ step: i, id: `c${i}`, name: 'get_weather', arguments: {}, rawArguments: '{}', source: 'native' as const, outcome: { ok: true as const, result: {} } })),
  })

  it('reachesState: keys, $absent, $includes, $json and $some; a milestone is reached or not, every miss listed', () => {
    const env: ToolEnv = {
      files: { '/app/package.json': '{"dependencies": {"date-fns": "4.1.0"}}', '/app/.env': 'PORT=8080\nRELEASE_CHANNEL=stable\n' },
      deploys: { staging: { version: '2.4.0', status: 'healthy' } },
      slack: { posted: [{ channel: '#general', text: 'hi' }, { channel: '#releases', text: 'shipped DEP-0002' }] },
    }
    const pass = reachesState(env, {
      files: { '/app/package.json': { $json: { dependencies: { 'date-fns': '4.1.0', 'moment': { $absent: true } } } }, '/app/.env': { $includes: ['release_channel=stable', 'PORT=8080'] } },
      deploys: { staging: { version: '2.4.0', status: { $anyOf: ['healthy', 'ok'] } } },
      slack: { posted: { $some: { channel: '#releases', text: { $includes: 'DEP-0002' } } } },
    })
    expect(pass).toMatchObject({ pass: true, score: 1 })
    const miss = reachesState(env, { deploys: { staging: { version: '2.5.0', status: 'healthy' } }, slack: { posted: { $some: { channel: '#incidents' } } }, files: { '/app/.env': { $json: { a: 1 } } } })
    expect(miss).toMatchObject({ pass: false, score: 0 })
    expect(miss.message).toBe('deploys.staging.version: expected "2.5.0", found "2.4.0" | slack.posted[0].channel: expected "#incidents", found "#general" | files./app/.env (as JSON).a: expected 1, found nothing')
  })

  it('answersWithinCalls: answer share x min(1, minimal / calls made)', () => {
    expect(answersWithinCalls(transcript(2, 'Sydney, 27°C'), ['Sydney', '27'], 2)).toMatchObject({ pass: true, score: 1 })
    expect(answersWithinCalls(transcript(3, 'Sydney, 27°C'), ['Sydney', '27'], 2).score).toBeCloseTo(2 / 3)
    expect(answersWithinCalls(transcript(5, 'Sydney, 27°C'), ['Sydney', '27'], 4).score).toBeCloseTo(0.8)
    expect(answersWithinCalls(transcript(4, 'Sydney'), ['Sydney', '27'], 4).score).toBe(0.5)
    expect(answersWithinCalls(transcript(1, 'Paris'), ['Sydney', '27'], 4)).toMatchObject({ pass: false, score: 0 })
    expect(answersWithinCalls(transcript(6, 'Sydney, 27'), ['Sydney', '27'], 4).message).toMatch(/^states "Sydney", "27": "Sydney, 27"; 6 tool calls where 4 suffice: 1\.00 x 0\.67 = 0\.67$/)
  })
})

describe('the DevOps environment', () => {
  const project = (dependencies: Record<string, string>, extra: ToolEnv = {}): ToolEnv => freshEnv({
    files: {
      '/app/package.json': JSON.stringify({ name: 'shop-api', version: '2.4.0', dependencies }),
      '/app/.env': 'PORT=8080\n',
      '/app/src/index.js': 'console.log(1)\n',
    },
    ci: { tests: [{ name: 'uses dates', dependency: 'date-fns' }, { name: 'no moment', absent: 'moment' }], last_test: null },
    ...extra,
  })
  const stdout = (outcome: ToolOutcome): string => (outcome.ok ? String((outcome.result as { stdout: string }).stdout) : outcome.error)
  const dependencies = (env: ToolEnv): Record<string, string> => (JSON.parse(String((env.files as Record<string, string>)['/app/package.json'])) as { dependencies: Record<string, string> }).dependencies
  const call = (env: ToolEnv, name: string, args: Record<string, Json>): Promise<ToolOutcome> => runToolCall(catalog, name, args, env)

  it('the shell lists and reads files, and says which commands it understands', () => {
    const env = project({ moment: '2.29.4' })
    expect(stdout(runShell(env, 'ls'))).toBe('.env\npackage.json\nsrc/')
    expect(stdout(runShell(env, 'cat .env'))).toBe('PORT=8080\n')
    expect(stdout(runShell(env, 'grep port /app/.env'))).toBe('PORT=8080')
    const unknown = runShell(env, 'docker ps')
    expect(unknown).toMatchObject({ ok: false, code: 'exit_1' })
    expect(stdout(unknown)).toContain('docker: command not found; understood: ls [path], cat <file>')
  })

  it('npm install resolves against the registry: exact or latest version, E404, ETARGET, deprecation and audit warnings', () => {
    const env = project({ 'moment': '2.29.4', 'left-pad': '1.3.0' })
    expect(stdout(runShell(env, 'npm install date-fns'))).toBe('added date-fns@4.1.0')
    expect(stdout(runShell(env, 'npm install date-fns@4.0.0'))).toContain('npm WARN deprecated date-fns@4.0.0')
    expect(stdout(runShell(env, 'npm install left-pad@1.3.1'))).toContain('high severity vulnerability GHSA-7f3x-lp42')
    expect(stdout(runShell(env, 'npm install left-pad@1.3.2'))).toBe('added left-pad@1.3.2')
    expect(stdout(runShell(env, 'npm install date-fns@9.9.9'))).toContain('ETARGET')
    expect(stdout(runShell(env, 'npm install no-such-package'))).toContain('E404')
    expect(dependencies(env)).toEqual({ 'moment': '2.29.4', 'left-pad': '1.3.2', 'date-fns': '4.0.0' })
    expect(stdout(runShell(env, 'npm uninstall moment'))).toBe('removed moment')
    expect(dependencies(env)).not.toHaveProperty('moment')
  })

  it('npm test applies ci.tests and records the result with the code\'s fingerprint; && stops at the first failure', () => {
    const env = project({ moment: '2.29.4' })
    const failing = runShell(env, 'npm test && npm run build')
    expect(failing.ok).toBe(false)
    expect(stdout(failing)).toContain('✗ uses dates: cannot find module \'date-fns\'')
    expect(stdout(failing)).not.toContain('built')
    expect(env.ci).toMatchObject({ last_test: { status: 'failed', passed: 0, failed: 2 } })
    const passing = runShell(env, 'npm uninstall moment && npm install date-fns@4.1.0 && npm test')
    expect(stdout(passing)).toContain('Tests: 2 passed, 2 total')
    expect(env.ci).toMatchObject({ last_test: { status: 'passed', fingerprint: fingerprint(env) } })
  })

  it('deploys need a fresh build whose code passed its tests; production takes only what is healthy on staging', async () => {
    const env = project({ 'date-fns': '4.1.0' }, {
      deploys: {
        next_id: 1,
        staging: { version: '2.3.0', status: 'healthy', history: [], requires: [] },
        production: { version: '2.3.0', status: 'healthy', history: [{ id: 'DEP-0000', version: '2.3.0', status: 'healthy' }], requires: [{ file: '/app/.env', includes: 'RELEASE_CHANNEL=stable' }] },
      },
    })
    const deploy = (target: string, version = '2.4.0'): Promise<ToolOutcome> => call(env, 'deploy', { target, version })
    expect(await deploy('staging')).toMatchObject({ ok: false, code: 'no_build' })
    runShell(env, 'npm run build')
    expect(await deploy('staging')).toMatchObject({ ok: false, code: 'tests_required' })
    runShell(env, 'npm test')
    expect(await deploy('staging', '2.5.0')).toMatchObject({ ok: false, code: 'version_mismatch' })
    expect(await deploy('production')).toMatchObject({ ok: false, code: 'staging_first' })
    expect(await deploy('staging')).toMatchObject({ ok: true, result: { deploy_id: 'DEP-0001', status: 'healthy' } })
    expect(await deploy('production')).toMatchObject({ ok: true, result: { deploy_id: 'DEP-0002', status: 'unhealthy', health: 'GET /health 503: /app/.env lacks RELEASE_CHANNEL=stable' } })
    expect(await call(env, 'write_file', { path: '/app/.env', content: 'PORT=8080\nRELEASE_CHANNEL=stable\n' })).toMatchObject({ ok: true })
    expect(await deploy('production')).toMatchObject({ ok: false, code: 'stale_build' })
    expect(await call(env, 'rollback', { target: 'production', version: '2.4.0' })).toMatchObject({ ok: false, code: 'not_rollbackable' })
    expect(await call(env, 'rollback', { target: 'production', version: '2.3.0' })).toMatchObject({ ok: true, result: { version: '2.3.0', status: 'healthy' } })
    expect(await call(env, 'get_deployment', { target: 'production' })).toMatchObject({ ok: true, result: { version: '2.3.0', status: 'healthy', deploy_id: 'DEP-0003' } })
  })

  it('the registry and the docs index answer searches deterministically', async () => {
    const env = freshEnv()
    const packages = await call(env, 'search_packages', { query: 'csv parser' })
    expect(packages.ok && (packages.result as { results: { name: string }[] }).results.map(hit => hit.name)).toEqual(['csv-parse', 'csvkit-js', 'fast-csv', 'papaparse'])
    const docs = await call(env, 'search_docs', { query: 'production release runbook' })
    expect(docs.ok && (docs.result as { results: { id: string }[] }).results[0]?.id).toBe('RB-7')
    expect(await call(env, 'read_doc', { id: 'rb-9' })).toMatchObject({ ok: true, result: { id: 'RB-9' } })
    expect(await call(freshEnv(), 'search_packages', { query: 'csv parser' })).toEqual(packages)
  })
})

/** The run records of a benchmark run, for one project. */
function records(resultsDir: string, project: string): RunRecord[] {
  const dir = join(resultsDir, 'runs', project)
  return readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as RunRecord))
}

describe('v1 end to end, as the custom project against a reference server', () => {
  let server: ReferenceServer
  beforeAll(async () => {
    server = await startReferenceServer({ suites })
  })
  afterAll(async () => {
    await server.close()
  })

  it('a chain that drops its final step scores 0.60; haystacks bigger than MILO_CONTEXT are skipped, not failed', async () => {
    const run = await runBench(['--project', 'custom', 'benchmarks/v1/multi-step.spec.ts', 'benchmarks/v1/long-context.spec.ts'], {
      MILO_BASE_URL: server.url,
      MILO_MODEL: 'oracle,flaw=drop-last-step',
      MILO_CONTEXT: '32768',
      MILO_CONCURRENCY: '8',
    })
    expect(run.code, run.output).toBe(0)
    const result = run.leaderboard().suites.v1?.models[0]
    expect(result?.tasks['track-waiting-parcel']?.score).toBe(0.6)
    expect(result?.tasks['needles-64k']).toMatchObject({ score: null, runs: [], skipped: expect.stringMatching(/needs about \d+ tokens; custom declares 32K/) })
    expect(result?.tasks['needles-120k']?.skipped).toBeDefined()
    expect(result?.tasks['needle-8k']?.score).toBe(1)
    expect(result?.tasks['needles-30k']?.score).toBe(1)
    expect(result?.categories['long-context']).toBe(1)
    expect(run.stdout).toMatch(/\| Long context +\| 1\.00 +\| 2\/2 perfect, 2 skipped +\| needles-\d+k skipped \(needs about \d+ tokens; custom declares 32K\)/)
    expect(run.stdout).toMatch(/\| Multi-step +\| 0\.\d\d +\| 4\/4 partial credit +\|/)
  }, 240_000)

  it('the latency paradox: with the same answers, a slow model loses the budgeted category and a fast one does not', async () => {
    // Budgets x 0.1: the agentic tasks' 90 s become 9 s. At 5 ms a reply the oracle's 5 to 9 turns take a fraction of
    // that even on a loaded machine; at 4 s a reply the budget ends during the third turn of every task (each needs 5+).
    // Tool calling and structured output have no budget: the slow model scores there what the fast one does.
    const specs = ['tool-calling', 'structured-output', 'agentic-workflow'].map(id => `benchmarks/v1/${id}.spec.ts`)
    const env = { MILO_BASE_URL: server.url, MILO_BUDGET_SCALE: '0.1', MILO_CONCURRENCY: '16' }
    const [fast, slow] = await Promise.all([
      runBench(['--project', 'custom', ...specs], { ...env, MILO_MODEL: 'oracle,latency=5' }),
      runBench(['--project', 'custom', ...specs], { ...env, MILO_MODEL: 'oracle,latency=4000' }),
    ])
    expect(fast.code, fast.output).toBe(0)
    expect(slow.code, slow.output).toBe(0)
    const fastResult = fast.leaderboard().suites.v1?.models[0]
    const slowResult = slow.leaderboard().suites.v1?.models[0]
    const agentic = (dir: string): RunRecord[] => records(dir, 'custom').filter(record => record.category === 'agentic-workflow')
    expect(fastResult?.categories['agentic-workflow']).toBe(1)
    expect(agentic(fast.resultsDir).map(record => record.endReason)).toEqual(Array(5).fill('final'))
    expect(slowResult?.categories['agentic-workflow']).toBeLessThan(0.5)
    expect(agentic(slow.resultsDir).map(record => record.endReason)).toEqual(Array(5).fill('budget'))
    for (const category of ['tool-calling', 'structured-output']) {
      expect(fastResult?.categories[category], category).toBe(1)
      expect(slowResult?.categories[category], category).toBe(1)
    }
    expect(slowResult?.avgLatencyMs).toBeGreaterThan(3900)
    expect(slow.stdout).toMatch(/\| Agentic workflow +\| 0\.\d\d +\| 0\/?\d? perfect/)
  }, 300_000)
})
