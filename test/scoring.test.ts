import type { TestOutcome } from '../src/core/scoring.ts'
import type { ModelResult, RunMeta, Suite } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { rank, scoreRun, summarize } from '../src/core/scoring.ts'
import { testModel } from './support/client-case.ts'

const check = (pass: boolean, score = pass ? 1 : 0, points = 1) => ({ name: 'c', pass, score, points, message: '' })
const run = (repeat: number, checks: RunMeta['checks'], extra: Partial<RunMeta> = {}): RunMeta => ({
  repeat, endReason: 'final', calls: 2, toolCalls: 1, toolErrors: 0, textToolCalls: 0, latencyMs: 100, usage: { inputTokens: 10, outputTokens: 5 }, retries: 0, checks, ...extra,
})

function suiteOf(aggregate: Suite['aggregate'], maxScore: number, runs: number, shape: Record<string, string[]>): Suite {
  return {
    id: 's', title: 'S', version: '1', maxScore, runs, aggregate,
    categories: Object.entries(shape).map(([id, tasks]) => ({ id, title: id, tasks: tasks.map(t => ({ id: t, prompt: t, tools: [], expect: {}, solution: [{ final: '' }] })) })),
  }
}

const model = testModel
const outcome = (taskId: string, category: string, runs: RunMeta[], maxScore: number, points: number): TestOutcome => ({
  project: 'm', model, suite: 's', hash: 'h', category, taskId, maxScore, points, runs, runId: 'r', finishedAt: 't',
})

describe('scoreRun', () => {
  it('scores the share of declared points earned, scaled to the maximum', () => {
    expect(scoreRun(run(0, [check(true), check(true), check(false)]), 3, 3)).toBe(2)
    expect(scoreRun(run(0, [check(false, 0.6)]), 1, 1)).toBe(0.6)
  })
  it('counts checks the spec never reached as zero (fail closed)', () => {
    expect(scoreRun(run(0, [check(true)]), 3, 3)).toBe(1)
  })
  it('does not score infrastructure errors as the model\'s failure', () => {
    expect(scoreRun(run(0, [], { endReason: 'error', error: { kind: 'server', message: '503', infrastructure: true } }), 3, 3)).toBeNull()
  })
})

describe('summarize', () => {
  it('classic: prompt = mean of runs, category = mean of prompts, model = sum out of tasks x 3', () => {
    const suite = suiteOf('sum', 3, 3, { a: ['a1', 'a2'], b: ['b1'] })
    const full = [check(true), check(true), check(true)]
    const two = [check(true), check(true), check(false)]
    const result = summarize(suite, 'h', [
      outcome('a1', 'a', [run(0, full), run(1, full), run(2, full)], 3, 3),
      outcome('a2', 'a', [run(0, full), run(1, two), run(2, two)], 3, 3),
      outcome('b1', 'b', [run(0, two), run(1, two), run(2, two)], 3, 3),
    ])
    expect(result.categories.a).toBeCloseTo((3 + 7 / 3) / 2)
    expect(result.categories.b).toBe(2)
    expect(result.score).toBeCloseTo(3 + 7 / 3 + 2)
    expect(result.max).toBe(9)
    expect(result.complete).toBe(true)
    expect(result.avgLatencyMs).toBe(50)
  })
  it('v1: overall is the macro mean of categories, with the sum beside it', () => {
    const suite = suiteOf('macro-mean', 1, 1, { a: ['a1', 'a2', 'a3', 'a4'], b: ['b1'] })
    const result = summarize(suite, 'h', [
      outcome('a1', 'a', [run(0, [check(true)])], 1, 1),
      outcome('a2', 'a', [run(0, [check(true)])], 1, 1),
      outcome('a3', 'a', [run(0, [check(true)])], 1, 1),
      outcome('a4', 'a', [run(0, [check(false, 0.6)])], 1, 1),
      outcome('b1', 'b', [run(0, [check(false, 0.2)])], 1, 1),
    ])
    expect(result.categories).toEqual({ a: 0.9, b: 0.2 })
    expect(result.score).toBeCloseTo(0.55)
    expect(result.sum).toBeCloseTo(3.8)
    expect(result.sumMax).toBe(5)
  })
  it('marks a run with missing tasks or infrastructure errors incomplete', () => {
    const suite = suiteOf('sum', 3, 1, { a: ['a1', 'a2'] })
    expect(summarize(suite, 'h', [outcome('a1', 'a', [run(0, [check(true)])], 3, 1)]).complete).toBe(false)
    const infra = summarize(suite, 'h', [
      outcome('a1', 'a', [run(0, [check(true)])], 3, 1),
      outcome('a2', 'a', [run(0, [], { endReason: 'error', error: { kind: 'network', message: 'x', infrastructure: true } })], 3, 1),
    ])
    expect(infra.complete).toBe(false)
    expect(infra.infraErrors).toBe(1)
  })
  it('prices a cloud model\'s tokens: input x its price + output x its price, per million, over scored runs', () => {
    const suite = suiteOf('sum', 3, 1, { a: ['a1', 'a2', 'a3'] })
    const priced = { ...model, where: 'cloud' as const, price: { input: 3, output: 15 } }
    const tokens = (inputTokens: number, outputTokens: number): Partial<RunMeta> => ({ usage: { inputTokens, outputTokens } })
    const result = summarize(suite, 'h', [
      { ...outcome('a1', 'a', [run(0, [check(true)], tokens(120_000, 8_000))], 3, 1), model: priced },
      { ...outcome('a2', 'a', [run(0, [check(true)], tokens(80_000, 2_000))], 3, 1), model: priced },
      // Tokens spent on a run the infrastructure lost are not the model's and are not billed here.
      { ...outcome('a3', 'a', [run(0, [], { ...tokens(1_000_000, 1_000_000), endReason: 'error', error: { kind: 'server', message: '503', infrastructure: true } })], 3, 1), model: priced },
    ])
    expect(result.where).toBe('cloud')
    expect(result.tokens).toEqual({ inputTokens: 200_000, outputTokens: 10_000 })
    // 0.2M x $3 + 0.01M x $15
    expect(result.cost).toBeCloseTo(0.75, 10)
    expect(result.runs).toBe(3)
    // A local model's tokens cost nothing once the hardware is paid for.
    expect(summarize(suite, 'h', [outcome('a1', 'a', [run(0, [check(true)], tokens(120_000, 8_000))], 3, 1)]).cost).toBe(0)
  })
  it('marks results scored against another suite hash not comparable', () => {
    const suite = suiteOf('sum', 3, 1, { a: ['a1'] })
    expect(summarize(suite, 'other', [outcome('a1', 'a', [run(0, [check(true)])], 3, 1)]).comparable).toBe(false)
  })
})

describe('rank', () => {
  const result = (project: string, score: number, extra: Partial<ModelResult> = {}): ModelResult => ({
    project, name: project, model: project, where: 'cloud', context: '1M', rank: null, score, max: 60, percent: score / 0.6,
    avgLatencyMs: 1000, categories: {}, tasks: {}, complete: true, comparable: true, hash: 'h', runs: 60, infraErrors: 0, retries: 0,
    modelCalls: 0, toolCalls: 0, toolErrors: 0, textToolCalls: 0, tokens: { inputTokens: 0, outputTokens: 0 }, cost: 0, endReasons: {}, runId: 'r', finishedAt: 't', ...extra,
  })
  it('gives equal scores the same rank and skips the next (the seed: 1, 1, 3, 3, 3, 6)', () => {
    const ranked = rank([result('a', 58), result('b', 58), result('c', 57), result('d', 57), result('e', 57), result('f', 56)])
    expect(ranked.map(r => r.rank)).toEqual([1, 1, 3, 3, 3, 6])
  })
  it('does not rank incomplete or non-comparable results, and lists them last', () => {
    const ranked = rank([result('partial', 59, { complete: false }), result('old', 60, { comparable: false }), result('a', 50)])
    expect(ranked.map(r => [r.project, r.rank])).toEqual([['a', 1], ['old', null], ['partial', null]])
  })
  it('treats floating-point noise as a tie', () => {
    expect(rank([result('a', 0.1 + 0.2), result('b', 0.3)]).map(r => r.rank)).toEqual([1, 1])
  })
})
