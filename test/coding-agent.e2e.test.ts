// The coding-agent suite and the v1 coding category: the code tools on plain data, every task's data proved (its hidden
// tests fail on the repository as given and pass after its reference solution), the metrics and the composite on
// plain numbers (the seed's 0.735 and 0.728), and the suite run the way users run it against an in-test reference
// server: the oracle completes everything cleanly, a thrashing oracle shows rework, a giving-up one completes less.

import type { FSWatcher } from 'node:fs'
import { testModel } from './support/client-case.ts'
import { useReferenceServer } from './support/reference-server.ts'
import { sharedRun } from './support/shared-runs.ts'
import type { BenchRun } from './support/run-bench.ts'
import type { TranscriptLine } from '../reporters/transcripts.ts'
import type { TestOutcome } from '../src/core/scoring.ts'
import type { Json, ModelResult, RunMeta, SolutionTurn, Task, ToolCallRecord, ToolEnv, Transcript } from '../src/core/types.ts'
import { existsSync, mkdtempSync, readdirSync, readFileSync, watch } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import carelessFixes from '../fixtures/coding-agent/careless-fixes.json' with { type: 'json' }
import failureModes from '../fixtures/failure-modes.json' with { type: 'json' }
import { code, fileJournal, hiddenTestsOf, repoPath, runHiddenTests } from '../fixtures/src/tools/code.ts'
import { catalog, codingAgent, freshEnv, suites, v1 } from '../fixtures/suites.ts'
import { agentTable, renderSuite } from '../reporters/tables.ts'
import { callFormGrade, callsWellFormed, findRework, passesTests } from '../src/core/checks.ts'
import { givenUp, thrashed } from '../src/node/reference/oracle.ts'
import { sandboxCapabilities } from '../src/runtime/sandbox.ts'
import { compositeWeights } from '../src/core/rules.ts'
import { agentMetrics, compositeScore, summarize } from '../src/core/scoring.ts'
import { offeredTools } from '../src/core/suite.ts'
import { runToolCall } from '../src/runtime/tool-runner.ts'
import { points } from '../benchmarks/coding-agent/rubric.ts'
import { root, runBench } from './support/run-bench.ts'

const agentTasks = codingAgent.categories.flatMap(category => category.tasks)
const v1Coding = v1.categories.find(category => category.id === 'coding')?.tasks ?? []
const codingTasks = [...agentTasks, ...v1Coding]
/** Each coding-agent task's careless fixes (fixtures/coding-agent/careless-fixes.json): edits, then a test run. */
const careless = carelessFixes.tasks as unknown as Record<string, { mistake: string, solution: SolutionTurn[] }[]>

/** Replays a solution's calls in process, through the same tool runner the agent loop uses. */
async function replay(task: Task, solution: SolutionTurn[] = task.solution): Promise<Transcript> {
  const tools = new Map(offeredTools(task, catalog).map(tool => [tool.name, tool]))
  const env = freshEnv(task.env)
  const toolCalls: ToolCallRecord[] = []
  for (const [step, turn] of solution.entries()) {
    if (!('calls' in turn)) {
      break
    }
    for (const call of turn.calls) {
      const outcome = await runToolCall(tools, call.name, call.arguments, env)
      toolCalls.push({ step, id: `c${toolCalls.length}`, name: call.name, arguments: call.arguments, rawArguments: JSON.stringify(call.arguments), source: 'native', outcome })
    }
  }
  return { taskId: task.id, model: 'replay', messages: [], tools: [...tools.values()], steps: [], toolCalls, finalText: null, endReason: 'final', env, latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0 }
}

const tool = (name: string) => {
  const found = code.tools.find(t => t.name === name)
  if (!found) {
    throw new Error(`no tool ${name}`)
  }
  return found
}
const repoEnv = (files: Record<string, string>): ToolEnv => freshEnv({ repo: { files } })
const resultOf = (outcome: Awaited<ReturnType<ReturnType<typeof tool>['run']>>): Record<string, Json> => {
  if (!outcome.ok || typeof outcome.result !== 'object' || outcome.result === null || Array.isArray(outcome.result)) {
    throw new Error(`expected a result, got ${JSON.stringify(outcome)}`)
  }
  return outcome.result
}

describe.concurrent('the code tools', () => {
  it('take repository paths only: relative, normalised, never leaving the repository', ({ expect }) => {
    expect(repoPath('src/a.js')).toBe('src/a.js')
    expect(repoPath('./src/a.js')).toBe('src/a.js')
    expect(repoPath('/src/a.js')).toBe('src/a.js')
    for (const bad of ['../etc/passwd', 'src/../../x', '.milo/runner.mjs', 'src/./a.js', 'a b.js', '', 'src\\a.js']) {
      expect(repoPath(bad), bad).toBeUndefined()
    }
  })

  it('write, read, patch, list and search a repository held in the environment, never on disk', async ({ expect }) => {
    const env = repoEnv({ 'src/a.js': 'export const a = 1\nexport const b = 1\n' })
    expect(resultOf(await tool('repo_write_file').run({ path: 'src/b.js', content: 'export const c = 3\n' }, env))).toMatchObject({ path: 'src/b.js', created: true, changed: true })
    expect(resultOf(await tool('repo_read_file').run({ path: './src/b.js' }, env))).toMatchObject({ content: 'export const c = 3\n', lines: 1 })
    expect(await tool('repo_patch_file').run({ path: 'src/a.js', find: ' = 1', replace: ' = 2' }, env)).toMatchObject({ ok: false, code: 'ambiguous' })
    expect(await tool('repo_patch_file').run({ path: 'src/a.js', find: 'const z', replace: '' }, env)).toMatchObject({ ok: false, code: 'no_match' })
    expect(resultOf(await tool('repo_patch_file').run({ path: 'src/a.js', find: 'b = 1', replace: 'b = 2' }, env))).toMatchObject({ changed: true })
    expect(resultOf(await tool('repo_list_files').run({ path: 'src' }, env))).toEqual({ files: [{ path: 'src/a.js', lines: 2 }, { path: 'src/b.js', lines: 1 }] })
    expect(resultOf(await tool('repo_search').run({ query: 'const b' }, env))).toEqual({ matches: [{ path: 'src/a.js', line: 2, text: 'export const b = 2' }], total: 1 })
    expect(await tool('repo_read_file').run({ path: 'b.js' }, env)).toMatchObject({ ok: false, code: 'not_found', error: expect.stringContaining('did you mean src/b.js') })
    const escape = await tool('repo_write_file').run({ path: '../../escaped.txt', content: 'x' }, env)
    expect(escape).toMatchObject({ ok: false, code: 'bad_path' })
    expect(existsSync(join(root, 'escaped.txt'))).toBe(false)
    expect(fileJournal(env).map(change => change.path)).toEqual(['src/b.js', 'src/a.js'])
    expect(fileJournal(env)[0]?.before).toBeNull()
  })

  it('run the repository\'s tests in the sandbox and report the failures the model needs to see', async ({ expect }) => {
    const env = repoEnv({
      'package.json': '{ "type": "module" }\n',
      'src/sum.js': 'export const sum = (a, b) => a - b\n',
      'test/sum.test.js': 'import assert from \'node:assert/strict\'\nimport { sum } from \'../src/sum.js\'\ntest(\'adds\', () => assert.equal(sum(2, 2), 4))\ntest(\'zero\', () => assert.equal(sum(0, 0), 0))\n',
    })
    const failing = resultOf(await tool('repo_run_tests').run({}, env))
    expect(failing).toMatchObject({ passed: false, passes: 1, failed: 1, failures: [{ file: 'test/sum.test.js', test: 'adds' }] })
    expect(JSON.stringify(failing)).not.toContain('milo-sandbox-')
    await tool('repo_patch_file').run({ path: 'src/sum.js', find: 'a - b', replace: 'a + b' }, env)
    expect(resultOf(await tool('repo_run_tests').run({ path: 'test' }, env))).toMatchObject({ passed: true, passes: 2, failed: 0 })
    expect(await tool('repo_run_tests').run({ path: 'lib' }, env)).toMatchObject({ ok: false, code: 'no_tests' })
    const hanging = repoEnv({ 'test/loop.test.js': 'test(\'spins\', () => { for (;;) {} })\n' })
    expect(resultOf(await tool('repo_run_tests').run({}, hanging))).toMatchObject({ passed: false, stopped: 'the test run was stopped: timeout' })
  }, 30_000)
})

describe('the tasks', () => {
  it('23 coding-agent tasks in 3 categories and 5 v1 coding tasks, each prompt unique across every suite', () => {
    expect(agentTasks).toHaveLength(23)
    expect(codingAgent.categories.map(category => category.tasks.length)).toEqual([9, 8, 6])
    expect(v1Coding).toHaveLength(5)
    const prompts = suites.flatMap(suite => suite.categories.flatMap(category => category.tasks.map(task => task.prompt)))
    expect(new Set(prompts).size).toBe(prompts.length)
    for (const task of agentTasks) {
      expect(task.budgetMs).toBe(90_000)
      // Room for the thrashing oracle's four extra turns.
      expect(task.maxSteps ?? 8).toBeGreaterThan(thrashed(task).length)
    }
    for (const task of v1Coding) {
      expect(task.budgetMs).toBe(110_000)
    }
  })

  for (const task of codingTasks) {
    it.concurrent(`${task.id}: hidden tests fail on the repository as given and pass after the reference solution, cleanly`, async ({ expect }) => {
      const before = await runHiddenTests(task, freshEnv(task.env))
      expect(before.total).toBeGreaterThanOrEqual(3)
      expect(before.passes, 'the task must not be solved already').toBeLessThan(before.total)
      const transcript = await replay(task)
      expect(callsWellFormed(transcript), JSON.stringify(transcript.toolCalls.map(call => call.outcome))).toMatchObject({ pass: true })
      expect(transcript.toolCalls.every(call => call.outcome?.ok === true), JSON.stringify(transcript.toolCalls.map(call => call.outcome))).toBe(true)
      const lastTestRun = transcript.toolCalls.filter(call => call.name === 'repo_run_tests').at(-1)
      expect(lastTestRun?.outcome).toMatchObject({ ok: true, result: { passed: true } })
      const after = await runHiddenTests(task, transcript.env)
      expect(after, after.failures.join('\n')).toMatchObject({ passes: after.total, code: 'ok' })
      expect(findRework(transcript, fileJournal(transcript.env))).toEqual([])
      expect(Object.keys(hiddenTestsOf(task)).every(path => !(path in (transcript.env.repo as { files: Record<string, string> }).files))).toBe(true)
      // Another right implementation (the route the paraphrase plays) passes the same hidden tests just as cleanly:
      // they check behaviour, not the reference solution's code.
      for (const route of task.routes ?? []) {
        const other = await replay(task, route)
        expect(other.toolCalls.every(call => call.outcome?.ok === true), JSON.stringify(other.toolCalls.map(call => call.outcome))).toBe(true)
        expect(other.toolCalls.filter(call => call.name === 'repo_run_tests').at(-1)?.outcome).toMatchObject({ ok: true, result: { passed: true } })
        const passed = await runHiddenTests(task, other.env)
        expect(passed, passed.failures.join('\n')).toMatchObject({ passes: passed.total, code: 'ok' })
        expect(findRework(other, fileJournal(other.env))).toEqual([])
      }
    }, 60_000)
  }

  it('names a careless fix for every coding-agent task, and only for those', () => {
    expect(Object.keys(careless).sort()).toEqual(agentTasks.map(task => task.id).sort())
  })

  it('the suite README lists every task with exactly its failure modes, and each failure mode with the catalog\'s why and source', () => {
    const readme = readFileSync(join(root, 'benchmarks/coding-agent/README.md'), 'utf8')
    const section = (title: string): string[] => {
      const start = readme.indexOf(`\n### ${title}\n`)
      expect(start, title).toBeGreaterThan(-1)
      const end = readme.indexOf('\n### ', start + 1)
      return readme.slice(start, end === -1 ? undefined : end).split('\n').filter(line => line.startsWith('| `'))
    }
    const cells = (line: string): string[] => line.split(' | ').map(cell => cell.replace(/^\| |\s*\|$/g, '').trim())
    const ids = (cell: string): string[] => [...cell.matchAll(/`([\w-]+)`/g)].map(match => match[1] ?? '')
    const listed = section('Tasks').map(cells)
    expect(listed.map(row => ids(row[0] ?? '')[0])).toEqual(agentTasks.map(task => task.id))
    for (const [index, task] of agentTasks.entries()) {
      expect(ids(listed[index]?.at(-1) ?? ''), task.id).toEqual(task.targets)
    }
    const used = [...new Set(agentTasks.flatMap(task => task.targets ?? []))].sort()
    const modes = section('Failure modes').map(cells)
    expect(modes.map(row => ids(row[0] ?? '')[0]).sort()).toEqual(used)
    const catalog: Record<string, { why: string, source: string }> = failureModes
    for (const row of modes) {
      const mode = catalog[ids(row[0] ?? '')[0] ?? '']
      expect(row.slice(1), row[0]).toEqual([mode?.why, mode?.source])
    }
  })

  // The headroom the suite exists for: a hurried fix, the kind the task targets, passes the repository's visible tests
  // and still fails a hidden one (a discount taken off shipping too, a comma-only CSV quote, a fix in the caller
  // instead of the shared helper, code bent to a wrong test...). fixtures/coding-agent/careless-fixes.json has them.
  for (const task of agentTasks) {
    it.concurrent(`${task.id}: a careless fix passes the visible tests and fails the hidden ones`, async ({ expect }) => {
      const fixes = careless[task.id]
      expect(fixes?.length).toBeGreaterThan(0)
      for (const fix of fixes ?? []) {
        const transcript = await replay(task, fix.solution)
        expect(transcript.toolCalls.every(call => call.outcome?.ok === true), `${fix.mistake}: ${JSON.stringify(transcript.toolCalls.map(call => call.outcome))}`).toBe(true)
        expect(transcript.toolCalls.at(-1)?.outcome, fix.mistake).toMatchObject({ ok: true, result: { passed: true } })
        const hidden = await runHiddenTests(task, transcript.env)
        expect(hidden.passes, `${fix.mistake} passed every hidden test`).toBeLessThan(hidden.total)
      }
    }, 60_000)
  }

  it('a model file named hidden or test costs the run nothing it earned, and the tools refuse to make one', async ({ expect }) => {
    const task = agentTasks.find(t => t.id === 'cart-discount')
    if (!task) {
      throw new Error('cart-discount is missing')
    }
    const transcript = await replay(task)
    const files = (transcript.env.repo as { files: Record<string, Json> }).files
    expect(Object.keys(files)).toContain('test/cart.test.js')
    // Put there as a model could have before the tools refused it (or as an environment may hold them): a file where
    // the hidden tests' directory goes, a file where the repository's tests' directory is, one under a hidden file.
    Object.assign(files, { 'hidden': 'x', 'test': 'y', 'hidden/cart.hidden.test.mjs/inner.js': 'z' })
    const outcome = await runHiddenTests(task, transcript.env)
    expect(outcome, outcome.failures.join('\n')).toMatchObject({ passes: outcome.total, code: 'ok' })
    expect(outcome.total).toBe(6)
    const env = repoEnv({ 'test/a.test.js': 'test(\'a\', () => {})\n', 'src/a.js': '' })
    expect(await tool('repo_write_file').run({ path: 'test', content: 'x' }, env)).toMatchObject({ ok: false, code: 'bad_path', error: expect.stringContaining('\'test\' is a directory of the repository') })
    expect(await tool('repo_write_file').run({ path: 'src/a.js/b.js', content: 'x' }, env)).toMatchObject({ ok: false, code: 'bad_path', error: expect.stringContaining('\'src/a.js\' is a file') })
    expect(resultOf(await tool('repo_run_tests').run({}, env))).toMatchObject({ passed: true, passes: 1 })
  }, 30_000)

  it('code that defines Object.prototype.toJSON, or declares tests of its own, passes no hidden test it fails', async ({ expect }) => {
    const task = agentTasks.find(t => t.id === 'cart-discount')
    if (!task) {
      throw new Error('cart-discount is missing')
    }
    for (const attack of [
      'Object.prototype.toJSON = function () { return { file: \'hidden/cart.hidden.test.mjs\', name: \'forged\', ok: true } }\n',
      'for (let i = 0; i < 5; i++) test(\'forged \' + i, () => {})\n',
    ]) {
      const env = freshEnv(task.env)
      const files = (env.repo as { files: Record<string, Json> }).files
      files['src/cart.js'] = attack + String(files['src/cart.js'])
      const honest = await runHiddenTests(task, freshEnv(task.env))
      const attacked = await runHiddenTests(task, env)
      expect(attacked.passes, attack).toBeLessThanOrEqual(honest.passes)
      expect(attacked.passes, attack).toBeLessThan(attacked.total)
    }
  }, 30_000)

  it('the thrashing replay still completes its task, with both kinds of rework found', async () => {
    const task = agentTasks.find(t => t.id === 'cart-discount')
    if (!task) {
      throw new Error('cart-discount is missing')
    }
    const transcript = await replay(task, thrashed(task))
    expect(findRework(transcript, fileJournal(transcript.env))).toEqual([
      'put src/cart.js back to an earlier content',
      'put src/cart.js back to an earlier content',
      'repeated the failing call repo_run_tests({}) with nothing changed',
    ])
    expect((await runHiddenTests(task, transcript.env)).failures).toEqual([])
  }, 30_000)

  it('give-up stops before the first edit on the 14 tasks that need several edits, and only there', () => {
    const cut = agentTasks.filter(task => givenUp(task) !== task.solution)
    expect(cut.map(task => task.id)).toEqual(['duration-format', 'booking-overlap', 'notes-trash', 'plural-messages', 'cli-limit-option', 'stats-percentile', 'markdown-export', 'word-wrap', 'order-returns', 'split-date-helpers', 'config-promises', 'shared-email-check', 'session-registry', 'user-options-object'])
    for (const task of cut) {
      const turns = givenUp(task)
      expect(turns.at(-1)).toMatchObject({ final: expect.stringContaining('stopping here') })
      expect(turns.flatMap(turn => ('calls' in turn ? turn.calls : [])).some(call => call.name === 'repo_write_file' || call.name === 'repo_patch_file')).toBe(false)
    }
  })
})

describe('the checks behind the rubric', () => {
  const call = (name: string, args: Record<string, Json>, outcome: ToolCallRecord['outcome'], step = 0): ToolCallRecord => ({ step, id: name, name, arguments: args, rawArguments: JSON.stringify(args), source: 'native', ...(outcome ? { outcome } : {}) })
  const transcript = (toolCalls: ToolCallRecord[]): Transcript => ({ taskId: 't', model: 'm', messages: [], tools: [], steps: [], toolCalls, finalText: null, endReason: 'final', env: {}, latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0 })
  const failedRun = { ok: true as const, result: { passed: false } }
  const wrote = { ok: true as const, result: { changed: true } }

  it('tool_call_success grades the form of calls, not their outcomes: a not_found while exploring is a well-formed call', () => {
    const tools = [{ name: 'read', description: '', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }]
    const graded = (calls: ToolCallRecord[]): Transcript => ({ ...transcript(calls), tools })
    const notFound = call('read', { path: 'src/missing.js' }, { ok: false, code: 'not_found', error: 'no file' })
    const repaired = { ...call('read', { path: 'a.js' }, { ok: true, result: 1 }), rawArguments: JSON.stringify(JSON.stringify({ path: 'a.js' })) }
    const asText = { ...call('read', { path: 'a.js' }, { ok: true, result: 1 }), source: 'text' as const }
    const invalid = call('read', { file: 'a.js' }, { ok: false, code: 'invalid_arguments', error: 'x' })
    const unknown = call('write', { path: 'a.js' }, { ok: false, code: 'unknown_tool', error: 'x' })
    expect([notFound, repaired, asText, invalid, unknown].map(c => callFormGrade(graded([c]), c).grade)).toEqual([1, 0.5, 0.5, 0, 0])
    expect(callsWellFormed(graded([notFound, repaired, invalid, call('read', { path: 'b.js' }, failedRun)])).score).toBeCloseTo(2.5 / 4)
    expect(callsWellFormed(graded([{ ...call('read', {}, { ok: true, result: 1 }), rawArguments: '', arguments: {} }])).score).toBe(0)
    expect(callsWellFormed(transcript([])).score).toBe(0)
  })

  it('hidden tests: a share for v1 coding, all or nothing for task completion', () => {
    const tally = { passes: 5, total: 7, code: 'ok', failures: ['x'] }
    expect(passesTests(tally, true).score).toBeCloseTo(5 / 7)
    expect(passesTests(tally, false).score).toBe(0)
    expect(passesTests({ ...tally, passes: 7 }, false)).toMatchObject({ pass: true, score: 1 })
    expect(passesTests({ passes: 0, total: 0, code: 'ok', failures: [] }, true).score).toBe(0)
  })

  it('rework: a file back to an earlier content, an identical rewrite, a failing call repeated with nothing changed', () => {
    expect(findRework(transcript([]), [{ path: 'a', before: 'v0', after: 'v1' }, { path: 'a', before: 'v1', after: 'v0' }])).toEqual(['put a back to an earlier content'])
    expect(findRework(transcript([]), [{ path: 'a', before: null, after: 'v1' }, { path: 'a', before: 'v1', after: 'v1' }])).toEqual(['rewrote a with the content it already had'])
    expect(findRework(transcript([]), [{ path: 'a', before: 'v0', after: 'v1' }, { path: 'b', before: 'v0', after: 'v1' }, { path: 'a', before: 'v1', after: 'v2' }])).toEqual([])
    const runTests = (outcome: ToolCallRecord['outcome']) => call('repo_run_tests', {}, outcome)
    expect(findRework(transcript([runTests(failedRun), call('repo_read_file', { path: 'a' }, { ok: true, result: {} }), runTests(failedRun)]), [])).toHaveLength(1)
    expect(findRework(transcript([runTests(failedRun), call('repo_patch_file', { path: 'a' }, wrote), runTests(failedRun)]), [])).toEqual([])
    expect(findRework(transcript([call('repo_read_file', { path: 'x' }, { ok: false, code: 'not_found', error: '' }), call('repo_read_file', { path: 'x' }, { ok: false, code: 'not_found', error: '' })]), [])).toHaveLength(1)
  })
})

describe('the coding-agent metrics', () => {
  it('reproduce the seed\'s composites: 0.913/0.348/0.130 -> 0.735 and 0.848/0.348/0.000 -> 0.728', () => {
    expect(Math.round(compositeScore(0.913, 0.348, 0.130) * 1000) / 1000).toBe(0.735)
    expect(Math.round(compositeScore(0.848, 0.348, 0) * 1000) / 1000).toBe(0.728)
    expect(compositeScore(1, 1, 0)).toBe(1)
  })

  it('the weights are the only ones on a 0.01 grid, summing to 1, that reproduce both published composites', () => {
    const fits: [number, number, number][] = []
    for (let a = 0; a <= 100; a++) {
      for (let b = 0; a + b <= 100; b++) {
        const [w1, w2, w3] = [a / 100, b / 100, (100 - a - b) / 100]
        const composite = (success: number, completion: number, rework: number): number => Math.round((w1 * success + w2 * completion + w3 * (1 - rework)) * 1000) / 1000
        if (composite(0.913, 0.348, 0.130) === 0.735 && composite(0.848, 0.348, 0) === 0.728) {
          fits.push([w1, w2, w3])
        }
      }
    }
    expect(fits).toEqual([[compositeWeights.toolCallSuccess, compositeWeights.taskCompletion, compositeWeights.noRework]])
  })

  const model = testModel
  const run = (extra: Partial<RunMeta>): RunMeta => ({ repeat: 0, endReason: 'final', calls: 4, toolCalls: 10, toolErrors: 0, textToolCalls: 0, latencyMs: 1000, usage: { inputTokens: 1, outputTokens: 1 }, retries: 0, checks: [{ name: 'c', pass: true, score: 1, points: 10, message: '' }], ...extra })
  const outcome = (taskId: string, category: string, r: RunMeta): TestOutcome => ({ project: 'm', model, suite: 'coding-agent', hash: 'h', category, taskId, maxScore: 1, points: 10, runs: [r], runId: 'r', finishedAt: 't' })
  const outcomes = [
    // t1's error is a well-formed call that found nothing; t2 had one call repaired (0.5); t3 two malformed calls.
    outcome('t1', 'bug-fixes', run({ completed: true, toolCalls: 10, toolErrors: 1, wellFormed: 10, latencyMs: 2000 })),
    outcome('t2', 'bug-fixes', run({ completed: true, rework: true, toolCalls: 10, toolErrors: 0, wellFormed: 9.5, latencyMs: 4000 })),
    outcome('t3', 'features', run({ completed: false, toolCalls: 20, toolErrors: 4, wellFormed: 18, endReason: 'budget', latencyMs: 90_000 })),
    outcome('t4', 'features', run({ completed: false, toolCalls: 0, toolErrors: 0, wellFormed: 0, latencyMs: 500 })),
    // An infrastructure error is not the model's: left out of every metric.
    outcome('t5', 'features', run({ completed: false, rework: true, toolCalls: 30, toolErrors: 30, error: { kind: 'server', message: '503', infrastructure: true } })),
  ]

  it('pool tool calls over runs and count tasks, rework, timeouts and latency', () => {
    const metrics = agentMetrics(outcomes)
    expect(metrics).toEqual({
      toolCallSuccess: 0.9375, // form grades 37.5 / 40 calls
      toolOutcomeSuccess: 0.875, // (40 - 5) / 40: outcomes, apart from form
      taskCompletion: 0.5,
      reworkRate: 0.25,
      composite: 0.76875, // 0.46875 + 0.15 + 0.15
      passCount: 2,
      taskCount: 4,
      timeouts: 1,
      taskLatencyMs: { median: 3000, max: 90_000 },
    })
  })

  it('make the composite the model\'s score, and print the seed\'s comparison table', () => {
    const suite = { ...codingAgent, categories: [{ id: 'bug-fixes', title: 'Bug fixes', tasks: codingAgent.categories[0]?.tasks.slice(0, 2) ?? [] }, { id: 'features', title: 'Features', tasks: codingAgent.categories[1]?.tasks.slice(0, 3) ?? [] }] }
    const renamed = outcomes.map((o, i) => ({ ...o, taskId: [...(suite.categories[0]?.tasks ?? []), ...(suite.categories[1]?.tasks ?? [])][i]?.id ?? o.taskId }))
    const result: ModelResult = summarize(suite, 'h', renamed)
    expect(result.score).toBe(0.76875)
    expect(result.agent?.passCount).toBe(2)
    const board = { id: 'coding-agent', title: 'Milo-Bench coding-agent', version: '1.0.0', hash: 'h', aggregate: 'coding-agent' as const, max: 1, taskCount: 5, maxPerTask: 1, categories: suite.categories.map(({ id, title }) => ({ id, title })), models: [{ ...result, rank: 1 }] }
    const printed = agentTable(board)
    const labels = printed.split('\n').filter(line => !line.startsWith('|-')).map(line => line.split('|')[1]?.trim())
    expect(labels).toEqual(['Metric', 'Composite', 'tool_call_success', 'task_completion', 'rework_rate', 'Pass count', 'Per-task latency'])
    expect(printed).toMatch(/\| Composite +\| 0\.769 +\|/)
    expect(printed).toMatch(/\| Pass count +\| 2\/5 +\|/)
    expect(printed).toMatch(/\| Per-task latency +\| median 3\.0s, max 90\.0s, 1 timeout +\|/)
    expect(renderSuite(board)).toContain(printed)
    expect(renderSuite(board)).toMatch(/🥇 +\| M +\| 0\.769 +\|/)
  })
})

describe.concurrent('the coding-agent suite, run the way users run it', () => {
  // A hurried model, scripted: each task's first careless fix (careless-fixes.json), then a claim that it is done.
  const hurried = Object.fromEntries(agentTasks.map(task => [task.id, [...(careless[task.id]?.[0]?.solution ?? []), { final: 'Fixed: the tests pass now.' }]]))
  const server = useReferenceServer({ scripts: { careless: hurried } })
  // The oracle and the baseline come from the shared run of `npm run bench` (every suite, four models); the oracle's
  // flaws and the careless script run here, each in a TMPDIR of its own.
  const temps = { thrash: '', giveUp: '', careless: '' }
  const runs: Record<keyof typeof temps | 'oracle' | 'baseline', BenchRun | undefined> = { oracle: undefined, thrash: undefined, giveUp: undefined, careless: undefined, baseline: undefined }
  // The scratch directories each run's sandboxes made in its TMPDIR, seen appear while it ran.
  const created: Record<keyof typeof temps, Set<string>> = { thrash: new Set(), giveUp: new Set(), careless: new Set() }
  // What the tasks' repositories name, as it stands in the project before the runs: they must leave it as it was.
  const repoPaths = [...new Set(agentTasks.flatMap(task => [...Object.keys((task.env?.repo as { files: Record<string, string> }).files), ...Object.keys(hiddenTestsOf(task))]))]
  const snapshot = (): Record<string, string | null> => Object.fromEntries(repoPaths.map(path => [path, existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : null]))
  let before: Record<string, string | null> = {}

  beforeAll(async () => {
    before = snapshot()
    const watchers: FSWatcher[] = []
    for (const key of Object.keys(temps) as (keyof typeof temps)[]) {
      // Each run gets its own temp dir, watched while it runs: its sandboxes' scratch directories are counted as they
      // appear, and must all be gone afterwards.
      temps[key] = mkdtempSync(join(tmpdir(), `milo-coding-${key}-`))
      watchers.push(watch(temps[key], (_event, name) => {
        if (name?.startsWith('milo-sandbox-')) {
          created[key].add(name)
        }
      }))
    }
    const custom = (model: string, key: keyof typeof temps) => runBench(['--project', 'custom', 'benchmarks/coding-agent'], { MILO_BASE_URL: server.url, MILO_MODEL: model, TMPDIR: temps[key] })
    try {
      const [reference, thrash, giveUp, hurried] = await Promise.all([
        sharedRun('bench'),
        custom('oracle,flaw=thrash', 'thrash'),
        custom('oracle,flaw=give-up', 'giveUp'),
        custom('script:careless', 'careless'),
      ])
      Object.assign(runs, { oracle: reference, thrash, giveUp, careless: hurried, baseline: reference })
    }
    finally {
      for (const watcher of watchers) {
        watcher.close()
      }
    }
  }, 400_000)

  afterAll(async () => {
    await server?.close()
  })

  const resultOfRun = (key: keyof typeof runs): ModelResult => {
    const run = runs[key]
    expect(run?.code, run?.output).toBe(0)
    const project = key === 'oracle' || key === 'baseline' ? key : 'custom'
    const model = run?.leaderboard().suites['coding-agent']?.models.find(m => m.project === project)
    if (!model?.agent) {
      throw new Error(`no coding-agent result for ${key}: ${run?.output ?? ''}`)
    }
    return model
  }

  it('oracle: 23/23, tool_call_success 1.0, rework_rate 0, composite 1, and the table printed', ({ expect }) => {
    const result = resultOfRun('oracle')
    expect(result).toMatchObject({ project: 'oracle', score: 1, complete: true })
    expect(result.agent).toMatchObject({ toolCallSuccess: 1, taskCompletion: 1, reworkRate: 0, composite: 1, passCount: 23, taskCount: 23, timeouts: 0 })
    // The metrics table, a column a model (the order of models that tie is the run's): read by column.
    const row = (label: string): string[] | undefined => runs.oracle?.stdout.split('\n').find(line => new RegExp(`^\\| ${label} +\\|`).test(line))?.split('|').slice(1, -1).map(cell => cell.trim())
    const header = row('Metric') ?? []
    expect(header.slice(1).sort()).toEqual(['baseline', 'confabulator', 'oracle', 'paraphrase'])
    const passCount = row('Pass count') ?? []
    expect(passCount[header.indexOf('oracle')]).toBe('23/23')
    expect(passCount[header.indexOf('baseline')]).toBe('0/23')
  })

  it('thrash: the same completion, with rework on every task it could thrash', ({ expect }) => {
    const result = resultOfRun('thrash')
    const thrashable = agentTasks.filter(task => thrashed(task) !== task.solution).length
    expect(thrashable).toBe(23)
    expect(result.agent).toMatchObject({ toolCallSuccess: 1, taskCompletion: 1, passCount: 23 })
    expect(result.agent?.reworkRate).toBeCloseTo(thrashable / 23, 5)
    expect(result.score).toBeCloseTo(compositeScore(1, 1, thrashable / 23), 5)
    expect(result.score).toBeLessThan(1)
  })

  it('give-up: completion falls by the tasks it gave up on, with no rework', ({ expect }) => {
    const result = resultOfRun('giveUp')
    const kept = agentTasks.filter(task => givenUp(task) === task.solution).length
    expect(result.agent).toMatchObject({ toolCallSuccess: 1, reworkRate: 0, passCount: kept })
    expect(result.agent?.taskCompletion).toBeCloseTo(kept / 23, 5)
    expect(result.score).toBeCloseTo(compositeScore(1, kept / 23, 0), 5)
  })

  it('careless fixes (the mistakes the tasks target: root-cause, public-api, misleading-test...): well-formed, no rework, visible tests green, and every run loses exactly task_completion\'s points', ({ expect }) => {
    const result = resultOfRun('careless')
    expect(result.agent).toMatchObject({ toolCallSuccess: 1, taskCompletion: 0, reworkRate: 0, passCount: 0, taskCount: 23 })
    expect(result.score).toBeCloseTo(compositeScore(1, 0, 0), 5)
    const dir = join(runs.careless?.resultsDir ?? '', 'runs', 'custom')
    const records = readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as { taskId: string, checks: { name: string, pass: boolean, score: number, points: number }[] }))
    expect(records.map(record => record.taskId).sort()).toEqual(agentTasks.map(task => task.id).sort())
    for (const record of records) {
      expect(record.checks.filter(check => !check.pass).map(check => check.name), record.taskId).toEqual(['hidden tests pass (task_completion)'])
      expect(record.checks.reduce((sum, check) => sum + check.score * check.points, 0), record.taskId).toBeCloseTo(points * (1 - compositeWeights.taskCompletion), 6)
    }
  })

  it('baseline scores less', ({ expect }) => {
    const result = resultOfRun('baseline')
    expect(result.agent?.taskCompletion).toBe(0)
    expect(result.score).toBeLessThan(resultOfRun('giveUp').score)
  })

  it('runs every test run in a sandbox under the run\'s TMPDIR, leaves no scratch directory behind and no trace in the project', async ({ expect }) => {
    const caps = await sandboxCapabilities()
    for (const key of Object.keys(temps) as (keyof typeof temps)[]) {
      const run = runs[key]
      const project = 'custom'
      const dir = join(run?.resultsDir ?? '', 'transcripts', project)
      const transcripts = readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as TranscriptLine))
      expect(transcripts, key).toHaveLength(23)
      // One sandbox per test run the model asked for, and one per task for its hidden tests.
      const asked = transcripts.flatMap(line => line.transcript.toolCalls).filter(call => call.name === 'repo_run_tests' && call.outcome?.ok === true).length
      expect(created[key].size, key).toBe(asked + 23)
      expect(readdirSync(temps[key]).filter(name => name.startsWith('milo-sandbox-')), key).toEqual([])
      // Each run's record says how its code was contained: here, this machine's strongest.
      const recordsDir = join(run?.resultsDir ?? '', 'runs', project)
      const records = readdirSync(recordsDir).flatMap(file => readFileSync(join(recordsDir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as { sandbox?: unknown }))
      expect(records, key).toHaveLength(23)
      for (const record of records) {
        expect(record.sandbox, key).toEqual({ processes: caps.containment, network: caps.isolation, disk: caps.disk, memory: caps.memoryLimit, uid: expect.any(Boolean) })
      }
    }
    // The shared run's models (`npm run bench`, in a TMPDIR of its own) left no scratch folder either, and say how their
    // code was contained.
    const reference = runs.oracle as BenchRun & { tmpDir: string }
    expect(readdirSync(reference.tmpDir).filter(name => name.startsWith('milo-sandbox-'))).toEqual([])
    for (const project of ['oracle', 'paraphrase', 'confabulator', 'baseline']) {
      const recordsDir = join(reference.resultsDir, 'runs', project)
      const records = readdirSync(recordsDir).flatMap(file => readFileSync(join(recordsDir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as { suite: { id: string }, sandbox?: unknown }))
        .filter(record => record.suite.id === 'coding-agent')
      expect(records, project).toHaveLength(23)
      for (const record of records) {
        expect(record.sandbox, project).toEqual({ processes: caps.containment, network: caps.isolation, disk: caps.disk, memory: caps.memoryLimit, uid: expect.any(Boolean) })
      }
    }
    expect(snapshot()).toEqual(before)
  })
})
