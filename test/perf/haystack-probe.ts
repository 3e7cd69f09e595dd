// Generates the largest long-context haystack in a fresh process and prints its time and memory as JSON, for perf.ts.

import spec from '../../fixtures/v1/long-context.json' with { type: 'json' }
import { generateHaystack } from '../../src/core/haystack.ts'

const largest = [...spec.haystacks].sort((a, b) => b.tokens - a.tokens)[0]
if (!largest) {
  throw new Error('fixtures/v1/long-context.json has no haystacks')
}
const before = process.memoryUsage()
const rssBefore = process.resourceUsage().maxRSS
const started = performance.now()
const text = generateHaystack({ seed: largest.seed, tokens: largest.tokens, needles: largest.needles })
const ms = performance.now() - started
const after = process.memoryUsage()
console.log(JSON.stringify({
  id: largest.id,
  tokens: largest.tokens,
  chars: text.length,
  ms,
  heapGrowthMB: (after.heapUsed + after.external - before.heapUsed - before.external) / 2 ** 20,
  peakRssGrowthMB: (process.resourceUsage().maxRSS - rssBefore) / 1024,
}))
