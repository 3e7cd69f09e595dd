// The repeat and uncertainty statistics on plain data: pass^k against hand-computed cases, the spread of run scores,
// the seeded bootstrap (reproducible, stratified by category, covering the point estimate, as wide as theory says) and
// which neighbouring rows of a board are not separable; then the same numbers as summarize puts them in a row.

import type { TestOutcome } from '../src/core/scoring.ts'
import type { RunMeta, Suite } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { agentMetrics, summarize } from '../src/core/scoring.ts'
import { mulberry32 } from '../src/core/haystack.ts'
import { scoringRules } from '../src/core/rules.ts'
import { binomial, bootstrapDefaults, bootstrapInterval, modelStats, notSeparable, passHatK, quantile, runSpread, suiteScore, taskPassK } from '../src/core/stats.ts'
import { testModel } from './support/client-case.ts'

describe('pass^k', () => {
  it('counts ways to choose: C(n, k)', () => {
    expect([binomial(3, 0), binomial(3, 1), binomial(3, 2), binomial(3, 3), binomial(3, 4), binomial(5, 2), binomial(10, 7)]).toEqual([1, 3, 3, 1, 0, 10, 120])
  })

  it('is C(c, k) / C(n, k) for one task: the chance that k of its runs, drawn without replacement, all succeed', () => {
    // 3 runs, 2 at full marks: one run succeeds 2/3 of the time, two runs both succeed in 1 of the 3 pairs, three never
    expect([1, 2, 3].map(k => taskPassK(3, 2, k))).toEqual([2 / 3, 1 / 3, 0])
    expect([1, 2, 3].map(k => taskPassK(3, 3, k))).toEqual([1, 1, 1])
    expect([1, 2, 3].map(k => taskPassK(3, 0, k))).toEqual([0, 0, 0])
    // 8 trials, 6 successes, k = 4: C(6,4)/C(8,4) = 15/70
    expect(taskPassK(8, 6, 4)).toBeCloseTo(15 / 70, 12)
  })

  it('averages over tasks, leaves out a task with fewer than k scored runs, and never rises with k', () => {
    const tasks = [{ runs: 3, successes: 3 }, { runs: 3, successes: 2 }, { runs: 3, successes: 0 }, { runs: 2, successes: 1 }]
    const [one, two, three] = passHatK(tasks, 3)
    // k = 1: (1 + 2/3 + 0 + 1/2) / 4; k = 2: (1 + 1/3 + 0 + 0) / 4; k = 3, without the task that kept two runs: (1 + 0 + 0) / 3
    expect(one).toBeCloseTo((1 + 2 / 3 + 0 + 1 / 2) / 4, 6)
    expect(two).toBeCloseTo((1 + 1 / 3) / 4, 6)
    expect(three).toBeCloseTo(1 / 3, 6)
    expect(passHatK([{ runs: 1, successes: 1 }], 3)).toEqual([1, null, null])
    expect(passHatK([], 2)).toEqual([null, null])
    const random = mulberry32(7)
    const many = Array.from({ length: 50 }, () => {
      const runs = 1 + Math.floor(random() * 5)
      return { runs, successes: Math.floor(random() * (runs + 1)) }
    })
    const curve = passHatK(many, 5).filter((value): value is number => value !== null)
    expect(curve.length).toBeGreaterThan(2)
    for (let k = 1; k < curve.length; k++) {
      expect(curve[k]).toBeLessThanOrEqual(curve[k - 1] as number)
    }
  })
})

describe('the spread of run scores', () => {
  it('is the lowest, the highest and the population standard deviation of a task\'s runs', () => {
    expect(runSpread([3, 1, 2])).toEqual({ min: 1, max: 3, sd: Number(Math.sqrt(2 / 3).toFixed(6)) })
    expect(runSpread([2, 2, 2])).toEqual({ min: 2, max: 2, sd: 0 })
    expect(runSpread([0.6])).toEqual({ min: 0.6, max: 0.6, sd: 0 })
  })
})

describe('the bootstrap', () => {
  // Twenty prompts scored 0..3, as a classic board's tasks: half full marks, the rest spread out, in five categories.
  const scores = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1, 0, 0, 2, 1, 0, 3]
  const strata = [0, 1, 2, 3, 4].map(c => scores.slice(4 * c, 4 * c + 4))
  const sum = (sample: number[][]): number => sample.flat().reduce((a, b) => a + b, 0)

  it('draws from a seeded generator: values in [0, 1), the same sequence for the same seed, another for another', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const c = mulberry32(43)
    const first = Array.from({ length: 1000 }, () => a())
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first)
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first)
    expect(first.every(value => value >= 0 && value < 1)).toBe(true)
    expect(first.reduce((x, y) => x + y, 0) / first.length).toBeGreaterThan(0.45)
    expect(first.reduce((x, y) => x + y, 0) / first.length).toBeLessThan(0.55)
  })

  it('takes linear-interpolation quantiles', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3)
    expect(quantile([0, 10], 0.25)).toBe(2.5)
    expect(quantile([0, 10, 20], 0.975)).toBeCloseTo(19.5, 12)
  })

  it('is reproducible bit for bit, and depends on its seed', () => {
    const first = bootstrapInterval(strata, sum)
    const again = bootstrapInterval(strata.map(s => [...s]), sum)
    expect(Object.is(first.low, again.low) && Object.is(first.high, again.high)).toBe(true)
    // 50 resamples: the 2.5% and 97.5% points fall between draws, so another sequence moves them
    expect(bootstrapInterval(strata, sum, { seed: 1, resamples: 50 })).not.toEqual(bootstrapInterval(strata, sum, { seed: 2, resamples: 50 }))
    expect(bootstrapInterval(strata, sum, { seed: 1, resamples: 50 })).toEqual(bootstrapInterval(strata, sum, { seed: 1, resamples: 50 }))
    expect(bootstrapDefaults).toEqual({ resamples: 2000, seed: 0x6D696C6F, level: 0.95 })
  })

  it('covers the point estimate, about as wide as the normal approximation says', () => {
    const point = sum(strata)
    const { low, high } = bootstrapInterval([scores], sum)
    expect(low).toBeLessThan(point)
    expect(high).toBeGreaterThan(point)
    // one stratum of 20: the sum's standard error is sqrt(20) x the population SD of the scores
    const m = point / scores.length
    const se = Math.sqrt(scores.length) * Math.sqrt(scores.reduce((s, x) => s + (x - m) ** 2, 0) / scores.length)
    expect(low).toBeGreaterThan(point - 2.4 * se)
    expect(low).toBeLessThan(point - 1.6 * se)
    expect(high).toBeGreaterThan(point + 1.6 * se)
    expect(high).toBeLessThan(point + 2.4 * se)
  })

  it('resamples within each category: categories whose prompts agree leave no doubt', () => {
    // every prompt of a category scores the same, so any resample within categories gives the same sum
    expect(bootstrapInterval([[3, 3, 3], [0, 0, 0], [2, 2]], sum)).toEqual({ low: 13, high: 13 })
    expect(bootstrapInterval([[3, 3, 3, 0, 0, 0, 2, 2]], sum).low).toBeLessThan(13)
  })

  it('recomputes each suite\'s rule: a sum of task means, a mean of category means, a composite of pooled runs', () => {
    const task = (category: string, runs: (number | null)[], item = 0) => ({ category, runs, item })
    const strata = [[task('a', [3, 1, 2]), task('a', [3, null, 3])], [task('b', [0, 0, 0])]]
    expect(suiteScore(scoringRules['sum'], strata, () => 0)).toBe(2 + 3 + 0)
    expect(suiteScore(scoringRules['macro-mean'], strata, () => 0)).toBe((2.5 + 0) / 2)
    const items = [[task('a', [1], 4), task('a', [1], 6)], [task('b', [1], 10)]]
    expect(suiteScore(scoringRules['coding-agent'], items, pooled => pooled.reduce((a, b) => a + b, 0))).toBe(20)
  })

  it('gives a model its repeats and an interval that covers its score; none without a scored task', () => {
    const tasks = scores.map((score, i) => ({ category: `c${Math.floor(i / 4)}`, runs: [score, score === 3 ? 3 : Math.min(3, score + 1), score], item: i }))
    const { repeats, interval } = modelStats(scoringRules['sum'], 3, 3, tasks, () => 0)
    const point = suiteScore(scoringRules['sum'], [tasks], () => 0)
    expect(interval).toMatchObject({ level: 0.95, resamples: 2000, seed: 0x6D696C6F })
    expect(interval?.low).toBeLessThanOrEqual(point)
    expect(interval?.high).toBeGreaterThanOrEqual(point)
    expect(repeats).toMatchObject({ tasks: 20, varying: 9, meanRange: 0.45 })
    // eleven prompts always at full marks, three with one full run in three, six never
    expect(repeats.passK).toEqual([0.6, 0.55, 0.55])
    const lost = modelStats(scoringRules['sum'], 3, 3, [{ category: 'a', runs: [null], item: 0 }], () => 0)
    expect(lost.interval).toBeUndefined()
    expect(lost.repeats).toEqual({ passK: [null, null, null], tasks: 0, varying: 0, meanRange: 0, meanSd: 0 })
  })
})

describe('separability', () => {
  const row = (rank: number | null, low?: number, high?: number) => ({ rank, ...(low === undefined ? {} : { interval: { low, high: high ?? low } }) })

  it('marks a ranked row whose interval overlaps the ranked row\'s just above it', () => {
    expect(notSeparable([row(1, 55, 60), row(2, 50, 56), row(3, 40, 49), row(4, 20, 40)])).toEqual([false, true, false, true])
  })

  it('compares ranked rows only, and never marks a row without an interval', () => {
    expect(notSeparable([row(1, 55, 60), row(null, 54, 59), row(2, 30, 40), row(3), row(4, 30, 40)])).toEqual([false, false, false, false, false])
    // tied models share a rank and, with the same tasks scored, the same interval
    expect(notSeparable([row(1, 50, 58), row(1, 50, 58), row(3, 10, 20)])).toEqual([false, true, false])
  })
})

describe('summarize puts them in the row', () => {
  const model = testModel
  const run = (repeat: number, score: number, extra: Partial<RunMeta> = {}): RunMeta => ({
    repeat, endReason: 'final', calls: 1, toolCalls: 2, toolErrors: 0, textToolCalls: 0, latencyMs: 10, usage: { inputTokens: 1, outputTokens: 1 }, retries: 0,
    checks: [{ name: 'c', pass: score === 3, score: score / 3, points: 1, message: '' }], ...extra,
  })
  const outcome = (taskId: string, category: string, runs: RunMeta[]): TestOutcome => ({ project: 'm', model, suite: 's', hash: 'h', category, taskId, maxScore: 3, points: 1, runs, runId: 'r', finishedAt: 't' })
  const suite = (aggregate: Suite['aggregate']): Suite => ({
    id: 's', title: 'S', version: '1', maxScore: 3, runs: 3, aggregate,
    categories: [{ id: 'a', title: 'A', tasks: ['a1', 'a2'].map(id => ({ id, prompt: id, tools: [], expect: {}, solution: [] })) }, { id: 'b', title: 'B', tasks: [{ id: 'b1', prompt: 'b1', tools: [], expect: {}, solution: [] }] }],
  })
  const outcomes = [
    outcome('a1', 'a', [run(0, 3), run(1, 3), run(2, 3)]),
    outcome('a2', 'a', [run(0, 3), run(1, 1), run(2, 3)]),
    outcome('b1', 'b', [run(0, 0), run(1, 3, { error: { kind: 'server', message: '503', infrastructure: true } }), run(2, 2)]),
  ]

  it('classic: pass^k over the scored runs, each task\'s spread, and an interval that covers the sum', () => {
    const result = summarize(suite('sum'), 'h', outcomes)
    // a1 3/3 at full marks, a2 2/3, b1 0/2 (one run lost to the server is not the model's)
    expect(result.repeats?.passK).toEqual([Number(((1 + 2 / 3 + 0) / 3).toFixed(6)), Number(((1 + 1 / 3 + 0) / 3).toFixed(6)), 0.5])
    expect(result.repeats).toMatchObject({ tasks: 3, varying: 2, meanRange: Number(((0 + 2 + 2) / 3).toFixed(6)) })
    expect(result.tasks.a2?.spread).toEqual({ min: 1, max: 3, sd: Number(Math.sqrt(8 / 9).toFixed(6)) })
    expect(result.tasks.b1?.spread).toMatchObject({ min: 0, max: 2 })
    expect(result.interval?.low).toBeLessThanOrEqual(result.score)
    expect(result.interval?.high).toBeGreaterThanOrEqual(result.score)
    expect(result.interval?.high).toBeLessThanOrEqual(result.max)
    expect(summarize(suite('sum'), 'h', outcomes).interval).toEqual(result.interval)
  })

  it('v1: the interval is of the macro mean; coding-agent: of the composite agentMetrics pools', () => {
    const macro = summarize(suite('macro-mean'), 'h', outcomes)
    expect(macro.interval?.low).toBeLessThanOrEqual(macro.score)
    expect(macro.interval?.high).toBeGreaterThanOrEqual(macro.score)
    const agentOutcomes = outcomes.map((o, i) => ({ ...o, maxScore: 1, runs: o.runs.map(r => ({ ...r, toolErrors: i, completed: i !== 2, rework: i === 1 && r.repeat === 0 })) }))
    const agent = summarize({ ...suite('coding-agent'), maxScore: 1 }, 'h', agentOutcomes)
    expect(agent.score).toBe(agentMetrics(agentOutcomes).composite)
    expect(agent.interval?.low).toBeLessThanOrEqual(agent.score)
    expect(agent.interval?.high).toBeGreaterThanOrEqual(agent.score)
    expect(agent.interval?.high).toBeGreaterThan(agent.interval?.low ?? 1)
  })
})
