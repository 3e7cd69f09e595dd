// What model calls cost, pure: a call's token counts and an entry's price -> USD. Long-prompt tiers (Gemini above 200K,
// GPT-5.4 above 272K) and cached-input rates apply per call, since a provider bills each request by its own prompt.

import type { Price, PriceRates, RunMeta, Usage } from './types.ts'

/** The rates one model call is billed at: the highest tier whose threshold its input tokens exceed, else the base rates. */
export function ratesFor(price: Price, inputTokens: number): PriceRates {
  let rates: PriceRates = price
  let above = -1
  for (const tier of price.tiers ?? []) {
    if (inputTokens > tier.aboveInputTokens && tier.aboveInputTokens > above) {
      rates = tier
      above = tier.aboveInputTokens
    }
  }
  return rates
}

/**
 * USD for one model call. Cached input tokens (as the server reported them) cost the tier's `cachedInput`; a tier that
 * declares none bills them as ordinary input, so an undeclared discount is never assumed.
 */
export function callCost(price: Price, usage: Usage): number {
  const rates = ratesFor(price, usage.inputTokens)
  const cached = Math.min(Math.max(usage.cachedInputTokens ?? 0, 0), usage.inputTokens)
  const fresh = usage.inputTokens - cached
  return (fresh * rates.input + cached * (rates.cachedInput ?? rates.input) + usage.outputTokens * rates.output) / 1_000_000
}

/**
 * USD for one run: the sum over its model calls. A run recorded without per-call counts (`stepUsage`, from before it
 * existed) is priced on its totals at the base rates, since its calls' prompt sizes are unknown.
 */
export function runCost(price: Price | undefined, run: Pick<RunMeta, 'usage' | 'stepUsage'>): number {
  if (!price) {
    return 0
  }
  if (!run.stepUsage) {
    return callCost({ input: price.input, output: price.output }, { inputTokens: run.usage.inputTokens, outputTokens: run.usage.outputTokens })
  }
  return run.stepUsage.reduce((sum, usage) => sum + callCost(price, usage), 0)
}
