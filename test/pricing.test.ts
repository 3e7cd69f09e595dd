// What a run costs: each model call at the tier its own prompt falls in (Gemini 3.1 Pro above 200K, GPT-5.4 above
// 272K), cached input at its rate only when the server reported the hit, and the leaderboard's cost built from that.

import type { TestOutcome } from '../src/core/scoring.ts'
import type { Price, RunMeta, Suite, Usage } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { models } from '../fixtures/models.ts'
import { callCost, ratesFor, runCost } from '../src/core/pricing.ts'
import { summarize } from '../src/core/scoring.ts'

const call = (inputTokens: number, outputTokens: number, cachedInputTokens?: number): Usage => ({ inputTokens, outputTokens, ...(cachedInputTokens === undefined ? {} : { cachedInputTokens }) })
const usd = (tokens: number, perMillion: number): number => tokens * perMillion / 1_000_000

describe('the tier a model call is billed at', () => {
  const gemini: Price = models.gemini31.price
  const gpt54: Price = models.gpt54.price

  it('Gemini 3.1 Pro: a prompt of 200,000 tokens is at $2/$12; one token more bills the whole call at $4/$18', () => {
    expect(callCost(gemini, call(200_000, 1_000))).toBeCloseTo(usd(200_000, 2) + usd(1_000, 12), 12)
    expect(callCost(gemini, call(200_001, 1_000))).toBeCloseTo(usd(200_001, 4) + usd(1_000, 18), 12)
  })

  it('GPT-5.4: a prompt of 272,000 tokens is at $2.50/$15; above it, 2x input and 1.5x output', () => {
    expect(callCost(gpt54, call(272_000, 2_000))).toBeCloseTo(usd(272_000, 2.5) + usd(2_000, 15), 12)
    expect(callCost(gpt54, call(272_001, 2_000))).toBeCloseTo(usd(272_001, 2.5 * 2) + usd(2_000, 15 * 1.5), 12)
  })

  it('with several tiers, the highest one the prompt passes applies, whatever order they are declared in', () => {
    const price: Price = { input: 1, output: 2, tiers: [{ aboveInputTokens: 500_000, input: 3, output: 6 }, { aboveInputTokens: 100_000, input: 2, output: 4 }] }
    expect(ratesFor(price, 100_000)).toMatchObject({ input: 1, output: 2 })
    expect(ratesFor(price, 100_001)).toMatchObject({ input: 2, output: 4 })
    expect(ratesFor(price, 500_001)).toMatchObject({ input: 3, output: 6 })
  })
})

describe('cached input', () => {
  const deepseek: Price = models.dsv4pro.price

  it('DeepSeek V4 Pro: tokens the server reports as cached cost $0.14, the rest $1.74', () => {
    expect(callCost(deepseek, call(100_000, 1_000, 80_000))).toBeCloseTo(usd(20_000, 1.74) + usd(80_000, 0.14) + usd(1_000, 3.48), 12)
  })

  it('a server that reports no hits is billed full input; an entry without a cached rate never gets a discount', () => {
    expect(callCost(deepseek, call(100_000, 1_000))).toBeCloseTo(usd(100_000, 1.74) + usd(1_000, 3.48), 12)
    expect(callCost({ input: 3, output: 15 }, call(100_000, 0, 90_000))).toBeCloseTo(usd(100_000, 3), 12)
  })

  it('a cached count larger than the prompt (a server\'s bad report) bills no negative input', () => {
    expect(callCost(deepseek, call(1_000, 0, 5_000))).toBeCloseTo(usd(1_000, 0.14), 12)
  })
})

describe('a run\'s cost', () => {
  const gemini: Price = models.gemini31.price

  it('is the sum over its calls, each at its own tier: two 150K prompts stay at the base rate though they total 300K', () => {
    const cost = runCost(gemini, { usage: call(300_000, 2_000), stepUsage: [call(150_000, 1_000), call(150_000, 1_000)] })
    expect(cost).toBeCloseTo(usd(300_000, 2) + usd(2_000, 12), 12)
    const long = runCost(gemini, { usage: call(400_000, 2_000), stepUsage: [call(150_000, 1_000), call(250_000, 1_000)] })
    expect(long).toBeCloseTo(usd(150_000, 2) + usd(1_000, 12) + usd(250_000, 4) + usd(1_000, 18), 12)
  })

  it('without per-call counts, is priced on its totals at the base rates; without a price, costs nothing', () => {
    expect(runCost(gemini, { usage: call(250_000, 1_000) })).toBeCloseTo(usd(250_000, 2) + usd(1_000, 12), 12)
    expect(runCost(undefined, { usage: call(250_000, 1_000), stepUsage: [call(250_000, 1_000)] })).toBe(0)
  })

  it('is what the leaderboard shows: summarize prices each scored run\'s calls by tier', () => {
    const suite: Suite = { id: 's', title: 'S', version: '1', maxScore: 1, runs: 1, aggregate: 'macro-mean', categories: [{ id: 'a', title: 'a', tasks: [{ id: 'a1', prompt: '', tools: [], expect: {}, solution: [{ final: '' }] }] }] }
    const spec = { key: 'gemini31', ...models.gemini31 }
    const run: RunMeta = {
      repeat: 0, endReason: 'final', calls: 2, toolCalls: 1, toolErrors: 0, textToolCalls: 0, latencyMs: 10, retries: 0,
      checks: [{ name: 'c', pass: true, score: 1, points: 1, message: '' }],
      usage: call(450_000, 3_000),
      stepUsage: [call(210_000, 1_000), call(240_000, 2_000)],
    }
    const outcome: TestOutcome = { project: 'gemini31', model: spec, suite: 's', hash: 'h', category: 'a', taskId: 'a1', maxScore: 1, points: 1, runs: [run], runId: 'r', finishedAt: 't' }
    const result = summarize(suite, 'h', [outcome])
    // Both prompts are over 200K: every token at $4/$18, not the $2/$12 a price on totals would give.
    expect(result.cost).toBeCloseTo(usd(450_000, 4) + usd(3_000, 18), 6)
    expect(result.tokens).toEqual({ inputTokens: 450_000, outputTokens: 3_000 })
  })
})
