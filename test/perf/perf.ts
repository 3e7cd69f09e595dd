// `npm run perf`: what the harness costs next to the model, measured against the embedded server on this machine.
// A benchmark script, not a test: it prints figures and the targets they are held to.

import type { ModelSpec } from '../../src/types.ts'
import { suites } from '../../fixtures/suites.ts'
import { createClient } from '../../src/client.ts'
import { normalizeCompletion } from '../../src/normalize.ts'
import { startReferenceServer } from '../../src/reference-server.ts'
import { acquireSlot, startSlotServer } from '../../src/slots.ts'

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}
const ms = (value: number): string => `${value.toFixed(3)} ms`

async function overheadPerCall(): Promise<{ median: number, p95: number, raw: number, harness: number }> {
  const server = await startReferenceServer({ suites })
  const slots = await startSlotServer({ oracle: 8 })
  const spec: ModelSpec = { key: 'oracle', name: 'oracle', model: 'oracle', baseURL: server.url, server: 'reference', where: 'embedded', context: { label: '1M', tokens: 1_000_000 } }
  const task = suites[0]?.categories[0]?.tasks[0]
  if (!task) {
    throw new Error('no task to measure with')
  }
  const request = { messages: [{ role: 'user' as const, content: task.prompt }], tools: [] }
  const client = createClient(spec, { baseURL: server.url, acquire: () => acquireSlot(slots.url, 'oracle') })
  const body = JSON.stringify({ model: 'oracle', messages: request.messages, temperature: 0 })
  const raw = async (): Promise<void> => {
    const response = await fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    normalizeCompletion(await response.json())
  }
  const harness = async (): Promise<void> => {
    await client.complete(request)
  }
  // Warm both paths (connection pools, JIT), then interleave them so drift hits both alike.
  for (let i = 0; i < 200; i++) {
    await raw()
    await harness()
  }
  const rawTimes: number[] = []
  const harnessTimes: number[] = []
  for (let i = 0; i < 2000; i++) {
    let started = performance.now()
    await raw()
    rawTimes.push(performance.now() - started)
    started = performance.now()
    await harness()
    harnessTimes.push(performance.now() - started)
  }
  await Promise.all([server.close(), slots.close()])
  const deltas = harnessTimes.map((time, i) => time - (rawTimes[i] ?? 0))
  return { median: quantile(deltas, 0.5), p95: quantile(deltas, 0.95), raw: quantile(rawTimes, 0.5), harness: quantile(harnessTimes, 0.5) }
}

const overhead = await overheadPerCall()
console.log('milo-bench perf (embedded server, this machine)')
console.log('')
console.log('harness overhead per model call (openai SDK + counted retries + concurrency slot + normalisation, vs raw fetch)')
console.log(`  raw fetch median ${ms(overhead.raw)}, harness median ${ms(overhead.harness)}`)
console.log(`  added: median ${ms(overhead.median)}, p95 ${ms(overhead.p95)}   target: median < 1.5 ms  ${overhead.median < 1.5 ? 'MET' : 'MISSED'}`)
