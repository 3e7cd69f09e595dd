// The classic suite: its data keeps the seed's shape and the promises each category makes (8+ tools with distractors,
// chains whose second call needs the first result, a first call that fails), and the benchmark, run as users run it,
// scores the oracle 60/60, the baseline lower where a keyword heuristic must fail, and each of the seed's typical
// mistakes (played by the oracle on purpose) as the category's rubric says.

import type { AnswerSpec } from '../src/core/answers.ts'
import type { ChainStep } from '../src/core/checks.ts'
import type { ReferenceServer } from '../src/node/reference-server.ts'
import type { Json, ModelResult, RunRecord, Suite, Task, Transcript } from '../src/core/types.ts'
import type { BenchRun } from './support/run-bench.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultsFor } from '../fixtures/src/catalog.ts'
import { catalog, classic, freshEnv, rubricsOf, stampOf, stamps, suites, v1 } from '../fixtures/suites.ts'
import { asksForJsonOnly } from '../src/node/reference/policy.ts'
import { fold, mentions, specFacts } from '../src/core/answers.ts'
import { jsonAnswerMatches } from '../src/core/checks.ts'
import { startReferenceServer } from '../src/node/reference-server.ts'
import { declaredPointsProblem } from '../src/runtime/bench.ts'
import { loadCategory, stampSuite, toolsOf } from '../src/core/suite.ts'
import { runToolCall } from '../src/runtime/tool-runner.ts'
import { runBench } from './support/run-bench.ts'

const category = (id: string): Task[] => classic.categories.find(c => c.id === id)?.tasks ?? []
const calls = (task: Task): { name: string, arguments: Record<string, Json> }[][] =>
  task.solution.flatMap(turn => ('calls' in turn ? [turn.calls] : []))
/** Content words with a crude stem, so "sending" meets "send" and "emails" meets "email". */
const words = (text: string): string[] => text.toLowerCase().split(/[^a-z]+/)
  .filter(word => word.length >= 4 && !['with', 'from', 'that', 'this', 'city', 'date', 'time'].includes(word))
  .map(word => word.replace(/(?:ing|es|s)$/, ''))
const strings = (value: Json | undefined): string[] => {
  if (Array.isArray(value)) {
    return value.flatMap(strings)
  }
  if (value !== null && typeof value === 'object') {
    return Object.values(value).flatMap(strings)
  }
  return value === undefined || value === null ? [] : [String(value)]
}

describe('the classic suite\'s data', () => {
  it('has the seed\'s 5 categories in its order, 4 prompts each with kebab-case ids, 20 in all', () => {
    expect(classic.categories.map(c => [c.id, c.title])).toEqual([
      ['single-tool', 'Single tool'],
      ['tool-selection', 'Tool selection'],
      ['multi-step', 'Multi-step chains'],
      ['structured-output', 'Structured output'],
      ['error-recovery', 'Error recovery'],
    ])
    const ids = classic.categories.flatMap(c => c.tasks.map(t => t.id))
    expect(classic.categories.map(c => c.tasks.length)).toEqual([4, 4, 4, 4, 4])
    expect(new Set(ids).size).toBe(20)
    for (const id of ids) {
      expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    }
    expect(classic).toMatchObject({ maxScore: 3, runs: 3, aggregate: 'sum' })
  })

  it('tool selection: at least 8 tools a prompt, and at least 3 distractors overlap the right tool in name or description', () => {
    for (const task of category('tool-selection')) {
      const right = catalog.get(String(task.expect.tool))
      expect(right && task.tools.includes(right.name), task.id).toBe(true)
      expect(task.tools.length, task.id).toBeGreaterThanOrEqual(8)
      const vocabulary = new Set(words(`${right?.name.replace(/_/g, ' ')} ${right?.description}`))
      const overlapping = task.tools.filter(name => name !== right?.name).filter((name) => {
        const tool = catalog.get(name)
        return words(`${name.replace(/_/g, ' ')} ${tool?.description ?? ''}`).some(word => vocabulary.has(word))
      })
      expect(overlapping.length, `${task.id}: ${overlapping.join(', ')}`).toBeGreaterThanOrEqual(3)
    }
  })

  it('multi-step: the solution is the expected chain, one call a turn, and the second call carries a value that only the first call\'s result holds', async () => {
    for (const task of category('multi-step')) {
      const chain = task.expect.chain as unknown as ChainStep[]
      const turns = calls(task)
      expect(turns.map(turn => turn.map(call => call.name)), task.id).toEqual(chain.map(step => ['tool' in step ? step.tool : undefined]))
      const env = freshEnv(task.env)
      const [first] = turns[0] ?? []
      const outcome = await runToolCall(catalog, first?.name ?? '', first?.arguments ?? {}, env)
      expect(outcome.ok, task.id).toBe(true)
      const result = JSON.stringify(outcome.ok ? outcome.result : null)
      const second = chain[1]
      const carried = strings(second && 'args' in second ? second.args : undefined).filter(value => !task.prompt.includes(value) && result.includes(value))
      expect(carried, `${task.id}: step 2 needs nothing from step 1's result`).not.toHaveLength(0)
      for (const fact of specFacts(task.expect.answer as unknown as AnswerSpec, env)) {
        expect(mentions(fold(result), fact, { negation: false }), `${task.id}: answer fact ${fact.shown} is already in step 1's result`).toEqual([])
      }
    }
  })

  it('error recovery: the reference solution\'s first call fails with the task\'s error, then recovers with a different call', async () => {
    for (const task of category('error-recovery')) {
      const env = freshEnv(task.env)
      const outcomes = []
      for (const turn of calls(task)) {
        for (const call of turn) {
          outcomes.push({ call, outcome: await runToolCall(catalog, call.name, call.arguments, env) })
        }
      }
      const [first, ...rest] = outcomes
      expect(first?.outcome.ok, task.id).toBe(false)
      expect(String(task.expect.error).startsWith(first?.outcome.ok === false ? first.outcome.code : '-'), task.id).toBe(true)
      if (task.expect.recovery) {
        const recovered = rest.find(r => r.outcome.ok)
        expect(recovered, task.id).toBeDefined()
        expect(JSON.stringify(recovered?.call)).not.toBe(JSON.stringify(first?.call))
      }
      else {
        expect(rest, `${task.id}: a report-only task makes no second call`).toHaveLength(0)
      }
    }
  })

  it('structured output: whether a task asks for JSON alone (expect.jsonOnly) is what its prompt says, in classic and v1', () => {
    for (const task of [...category('structured-output'), ...(v1.categories.find(c => c.id === 'structured-output')?.tasks ?? [])]) {
      expect(task.expect.jsonOnly === true, `${task.id}: ${task.prompt}`).toBe(asksForJsonOnly(task.prompt))
    }
  })

  it('structured output: both kinds, response_format and JSON asked for in the prompt alone; every prompt asks for JSON', () => {
    const tasks = category('structured-output')
    expect(tasks.filter(task => task.responseFormat).length).toBeGreaterThanOrEqual(1)
    expect(tasks.filter(task => !task.responseFormat && task.expect.schema).length).toBeGreaterThanOrEqual(1)
    for (const task of tasks) {
      expect(task.prompt, task.id).toMatch(/JSON/)
    }
  })

})

describe('a suite\'s identity: its tasks, its tools, the data they read, its rubrics, and nothing else', () => {
  const before = stampOf(classic)

  it('the stamp is the one every record carries, and is stable', () => {
    expect(before).toEqual(stamps.get('classic'))
    expect(stampOf(structuredClone(classic)).hash).toBe(before.hash)
  })

  it('changes when a prompt changes', () => {
    const edited: Suite = structuredClone(classic)
    const task = edited.categories[2]?.tasks[0]
    if (!task) {
      throw new Error('no task to edit')
    }
    task.prompt = `${task.prompt} Thanks!`
    expect(stampOf(edited).hash).not.toBe(before.hash)
  })

  it('changes when a rubric changes: its spec file, or the points it declares', () => {
    const rubrics = rubricsOf(classic)
    expect(Object.keys(rubrics)).toEqual(classic.categories.map(category => `benchmarks/classic/${category.id}.spec.ts`).sort())
    const defaults = defaultsFor(toolsOf(classic))
    expect(stampSuite(classic, catalog, defaults, rubrics).hash).toBe(before.hash)
    const path = 'benchmarks/classic/single-tool.spec.ts'
    const morePoints = { ...rubrics, [path]: (rubrics[path] ?? '').replace('{ points: 3 }', '{ points: 4 }') }
    expect(morePoints[path]).not.toBe(rubrics[path])
    expect(stampSuite(classic, catalog, defaults, morePoints).hash).not.toBe(before.hash)
  })

  it('does not change when a tool family it does not use is added or edited, or another suite changes', () => {
    const extended = new Map([...catalog, ['new_family_tool', { name: 'new_family_tool', description: 'x', parameters: { type: 'object' }, run: () => ({ ok: true as const, result: null }) }]])
    const defaults = defaultsFor(toolsOf(classic))
    expect(Object.keys(defaults).sort()).toEqual(['calendar', 'clock', 'files', 'fx', 'mail', 'search', 'shop', 'stocks', 'travel', 'weather'])
    expect(defaults).not.toHaveProperty('registry')
    expect(defaults).not.toHaveProperty('repo')
    expect(stampSuite(classic, extended, { ...defaults }, rubricsOf(classic)).hash).toBe(before.hash)
    expect(stampOf(classic).hash).toBe(stampOf(structuredClone(classic)).hash)
  })

  it('each category\'s expect is checked when the suite loads; a mistake names the file, the task and the key', () => {
    const data = { id: 'single-tool', title: 'Single tool', tasks: [{ id: 'weather-x', prompt: 'p', tools: ['get_weather'], expect: { tool: 'get_weather', arguments: {}, anwser: ['18'] }, solution: [{ final: 'x' }] }] }
    const schema = { type: 'object', required: ['tool', 'arguments', 'answer'], additionalProperties: false, properties: { tool: { type: 'string' }, arguments: { type: 'object' }, answer: { type: 'array' } } }
    expect(() => loadCategory(data, 'fixtures/classic/single-tool.json', catalog, { expect: schema })).toThrow(/^fixtures\/classic\/single-tool\.json: task 'weather-x': expect must have required property 'answer'; expect must NOT have additional properties 'anwser'$/)
  })

  it('a rubric whose checks do not add up to its declared points fails, naming its spec file', () => {
    expect(declaredPointsProblem('benchmarks/classic/single-tool.spec.ts', [{ points: 1 }, { points: 0.5 }, { points: 0.5 }, { points: 1 }], 3)).toBeUndefined()
    expect(declaredPointsProblem('benchmarks/classic/single-tool.spec.ts', [{ points: 1 }, { points: 1 }], 3)).toBe('benchmarks/classic/single-tool.spec.ts: the checks of this run are worth 2 points, but describeCategory declares { points: 3 }; make them agree')
    expect(declaredPointsProblem('x', [{ points: 4 / 3 }, { points: 4 / 3 }, { points: 4 / 3 }, { points: 1 }], 5)).toBeUndefined()
  })
})

describe('jsonAnswerMatches (the structured-output value check)', () => {
  const answer = (finalText: string | null): Transcript => ({
    taskId: 't', model: 'm', messages: [], tools: [], steps: [], toolCalls: [], finalText, endReason: 'final', env: {},
    latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0,
  })
  const expected = { city: 'Tokyo', temperature_c: 24, events: [{ title: 'Standup' }, { title: 'Design review' }] }
  it('reads the JSON in any form and compares values leniently', () => {
    const value = '{"city": "tokyo", "temperature_c": 24.0, "events": [{"title": "Design review", "start": "10:00"}, {"title": "Standup"}]}'
    expect(jsonAnswerMatches(answer(value), expected)).toMatchObject({ pass: true, score: 1 })
    expect(jsonAnswerMatches(answer(`Here:\n\`\`\`json\n${value}\n\`\`\``), expected).pass).toBe(true)
  })
  it('gives the share of keys right and names the wrong ones', () => {
    const result = jsonAnswerMatches(answer('{"city": "Tokyo", "temperature_c": 75, "events": []}'), expected)
    expect(result.score).toBeCloseTo(1 / 3)
    expect(result.message).toContain('temperature_c = 75 where 24 was expected')
  })
  it('scores 0 when there is no JSON object', () => {
    expect(jsonAnswerMatches(answer('It is 24°C in Tokyo.'), expected).score).toBe(0)
    expect(jsonAnswerMatches(answer('[1, 2]'), expected).score).toBe(0)
    expect(jsonAnswerMatches(answer(null), expected).score).toBe(0)
  })
})

/** Each category's typical mistake, as the oracle plays it, and what the category's rubric makes of it (0-3). */
const mistakes: Record<string, { flaw: string, score: (task: Task) => number, why: string }> = {
  'single-tool': { flaw: 'wrong-tool', score: () => 0, why: 'a wrong first tool: no right tool, no call to validate, no values' },
  'tool-selection': { flaw: 'wrong-tool', score: () => 0, why: 'a distractor instead of the right tool' },
  'multi-step': { flaw: 'stop-after-first', score: () => 1, why: 'the first step right, the second never made: 1 of 3' },
  'structured-output': { flaw: 'fenced-json', score: () => 2.5, why: 'JSON in a code fence: half the form point, schema and values intact' },
  'error-recovery': { flaw: 'repeat-failing', score: task => (task.expect.report ? 2 : task.expect.recovery ? 1 / 3 : 4 / 3), why: 'the failing call repeated twice: no recovery, 1/3 of the repeat point, no answer (a report task keeps the attempt point; where the failure is transient, two retries are allowed and the honest report earns the answer point)' },
}
const flawsUsed = [...new Set(Object.values(mistakes).map(m => m.flaw))]

describe.concurrent('the classic benchmark as users run it', () => {
  let server: ReferenceServer
  let reference: BenchRun
  const flawed = new Map<string, BenchRun>()

  beforeAll(async () => {
    server = await startReferenceServer({ suites })
    const runs = await Promise.all([
      runBench(['--project', 'oracle', '--project', 'baseline', 'benchmarks/classic']),
      ...flawsUsed.map(flaw => runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: server.url, MILO_MODEL: `oracle,flaw=${flaw}` })),
    ])
    reference = runs[0] as BenchRun
    flawsUsed.forEach((flaw, i) => flawed.set(flaw, runs[i + 1] as BenchRun))
  }, 240_000)

  afterAll(async () => {
    await server.close()
  })

  const board = (run: BenchRun | undefined, project: string): ModelResult => {
    const model = run?.leaderboard().suites.classic?.models.find(m => m.project === project)
    if (!model) {
      throw new Error(`no classic result for ${project}: ${run?.output.slice(-2000) ?? 'no run'}`)
    }
    return model
  }
  const records = (run: BenchRun | undefined, project: string): RunRecord[] => {
    const dir = join(run?.resultsDir ?? '', 'runs', project)
    return readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as RunRecord))
  }
  const checksOf = (run: BenchRun | undefined, taskId: string, label: string) =>
    records(run, 'custom').filter(r => r.taskId === taskId).map(r => r.checks.find(c => c.name === label))

  it('oracle scores 60.0/60, every prompt 3 in every run; the tables print with 2-decimal categories', () => {
    expect(reference.code, reference.output).toBe(0)
    const oracle = board(reference, 'oracle')
    expect(oracle).toMatchObject({ score: 60, max: 60, percent: 100, rank: 1, complete: true })
    expect(Object.keys(oracle.tasks)).toHaveLength(20)
    for (const [id, task] of Object.entries(oracle.tasks)) {
      expect(task.runs, id).toEqual([3, 3, 3])
    }
    expect(reference.stdout).toMatch(/🥇 +\| oracle \(reference solution\) +\| 60\.0\/60 +\| 60\.0–60\.0 +\| 100\.0%/)
    expect(reference.stdout).toMatch(/\| Multi-step chains +\| 3\.00 +\| \d\.\d\d +\|/)
  })

  it('baseline scores clearly less, weakest on multi-step chains and error recovery', () => {
    const baseline = board(reference, 'baseline')
    expect(baseline.score).toBeLessThan(0.6 * 60)
    const ranked = Object.entries(baseline.categories).sort((a, b) => a[1] - b[1]).map(([id]) => id)
    expect(ranked.slice(0, 2).sort()).toEqual(['error-recovery', 'multi-step'])
    expect(baseline.categories['multi-step']).toBeLessThan(1)
    expect(baseline.categories['error-recovery']).toBeLessThan(1)
  })

  for (const cat of classic.categories) {
    const mistake = mistakes[cat.id]
    for (const task of cat.tasks) {
      it(`${cat.id}/${task.id}: the oracle scores 3; ${mistake?.flaw} scores ${mistake?.score(task).toFixed(2)} (${mistake?.why})`, () => {
        expect(board(reference, 'oracle').tasks[task.id]?.score).toBe(3)
        const flawedRun = flawed.get(mistake?.flaw ?? '')
        const scored = board(flawedRun, 'custom').tasks[task.id]
        expect(scored?.runs).toHaveLength(3)
        for (const run of scored?.runs ?? []) {
          expect(run).toBeCloseTo(mistake?.score(task) ?? -1, 6)
        }
      })
    }
  }

  it('every prompt scores less than 3 under at least one flaw', () => {
    const best = new Map<string, number>()
    for (const run of flawed.values()) {
      for (const [id, task] of Object.entries(board(run, 'custom').tasks)) {
        best.set(id, Math.min(best.get(id) ?? 3, task.score ?? 3))
      }
    }
    const all = classic.categories.flatMap(c => c.tasks.map(t => t.id))
    expect(all.filter(id => (best.get(id) ?? 3) >= 3)).toEqual([])
  })

  it('stopping after the first correct call of a chain: 1 of 2 chain steps, no answer point; one-call categories keep 3', () => {
    const run = flawed.get('stop-after-first')
    for (const task of category('multi-step')) {
      for (const check of checksOf(run, task.id, 'chain followed with data flow')) {
        expect(check).toMatchObject({ score: 0.5, points: 2, pass: false })
        expect(check?.message).toMatch(/^completed 1 of 2 steps; missing /)
      }
      for (const check of checksOf(run, task.id, 'answer reports what the chain found')) {
        expect(check?.score).toBe(0)
      }
    }
    const result = board(run, 'custom')
    for (const id of ['single-tool', 'tool-selection', 'structured-output']) {
      expect(result.categories[id], id).toBe(3)
    }
    expect(result.categories['multi-step']).toBe(1)
  })

  it('a wrong tool among distractors: the distractor is named, and no point is earned', () => {
    const run = flawed.get('wrong-tool')
    for (const task of category('tool-selection')) {
      const distractor = task.tools.find(name => !calls(task).flat().some(call => call.name === name))
      for (const check of checksOf(run, task.id, 'right tool, no distractor with effects')) {
        expect(check).toMatchObject({ pass: false, score: 0 })
        expect(check?.message).toContain(`made ${distractor}(`)
      }
    }
    expect(board(run, 'custom').categories['tool-selection']).toBe(0)
  })

  it('JSON in a code fence: a distinct, lower outcome (2.5 of 3); schema and values still read', () => {
    const run = flawed.get('fenced-json')
    for (const task of category('structured-output')) {
      for (const record of records(run, 'custom').filter(r => r.taskId === task.id)) {
        expect(record.checks.map(c => [c.name, c.score])).toEqual([['answer is JSON in the form asked for', 0.5], ['valid against the schema', 1], ['right values', 1]])
        expect(record.checks[0]?.message).toBe('answer is JSON wrapped in a code fence, where the prompt asked for JSON alone')
      }
    }
    const result = board(run, 'custom')
    expect(result.categories['structured-output']).toBe(2.5)
    expect(result.score).toBe(58)
  })

  it('repeating a failing call: scored down to 1 / (1 + repeats), and never recovered; two retries of a transient failure are fine', () => {
    const run = flawed.get('repeat-failing')
    for (const task of category('error-recovery')) {
      for (const check of checksOf(run, task.id, 'no failing call repeated unchanged')) {
        if (task.id === 'quote-service-down') {
          expect(check).toMatchObject({ score: 1, message: 'no failing call repeated unchanged (transient failures may be retried 2 times)' })
          continue
        }
        expect(check?.score).toBeCloseTo(1 / 3)
        expect(check?.message).toMatch(/^repeated a failing call unchanged 2 time\(s\)/)
      }
    }
    const result = board(run, 'custom')
    for (const id of ['single-tool', 'tool-selection', 'multi-step', 'structured-output']) {
      expect(result.categories[id], id).toBe(3)
    }
  })
})
