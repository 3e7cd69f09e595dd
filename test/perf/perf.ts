// `npm run perf`: what the harness costs next to the model, measured against the embedded server on this machine.
// A benchmark script, not a test: it prints figures and the targets they are held to.

import type { ModelSpec } from '../../src/core/types.ts'
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suites } from '../../fixtures/suites.ts'
import { createClient } from '../../src/models/client.ts'
import { normalizeCompletion } from '../../src/models/normalize.ts'
import { startReferenceServer } from '../../src/node/reference-server.ts'
import { defaultWorkers } from '../../src/node/settings.ts'
import { startSlotServer } from '../../src/node/slot-server.ts'
import { acquireSlot } from '../../src/runtime/slots.ts'
import type { MarkupResult } from '../support/hostile-markup.ts'
import { runBench } from '../support/run-bench.ts'
import { measureWorkload } from './workload.ts'

/** The workers a user's run gets by default (the tests' own child runs take one). */
const userWorkers = String(defaultWorkers())

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

/** Every suite at a simulated latency and concurrency: the span of model activity against total model time / concurrency. */
async function suiteWallTime(latencyMs: number, concurrency: number, files: string[]): Promise<{ wall: number, ideal: number, calls: number, process: number }> {
  const server = await startReferenceServer({ suites })
  const model = `oracle,latency=${latencyMs}`
  const started = performance.now()
  const run = await runBench(['--project', 'custom', ...files], { MILO_BASE_URL: server.url, MILO_MODEL: model, MILO_CONCURRENCY: String(concurrency), MILO_WORKERS: userWorkers })
  const process = performance.now() - started
  await server.close()
  if (run.code !== 0) {
    throw new Error(`the suite run failed:\n${run.output}`)
  }
  const span = server.activity.get(model)
  const calls = server.requests.get(model) ?? 0
  return { wall: span ? span.last - span.first : 0, ideal: calls * latencyMs / concurrency, calls, process }
}

/** Record every suite once, then time re-scoring it from the recordings alone (a whole `vitest run`). */
async function rescoreFromCassettes(): Promise<{ rescore: number, runs: number }> {
  const server = await startReferenceServer({ suites })
  const cassettes = mkdtempSync(join(tmpdir(), 'milo-perf-cassettes-'))
  const env = { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle', MILO_CACHE_DIR: cassettes }
  const recorded = await runBench(['--project', 'custom'], { ...env, MILO_CACHE: 'record', MILO_WORKERS: userWorkers })
  await server.close()
  if (recorded.code !== 0) {
    throw new Error(`recording failed:\n${recorded.output}`)
  }
  const started = performance.now()
  const replayed = await runBench(['--project', 'custom'], { ...env, MILO_CACHE: 'strict', MILO_WORKERS: userWorkers })
  const rescore = performance.now() - started
  if (replayed.code !== 0) {
    throw new Error(`re-scoring failed:\n${replayed.output}`)
  }
  const runs = Object.values(replayed.leaderboard().suites).reduce((n, board) => n + (board.models[0]?.runs ?? 0), 0)
  return { rescore, runs }
}

/** The largest haystack, generated in a fresh process so its memory is not mixed with this one's. */
function largestHaystack(): { id: string, tokens: number, chars: number, ms: number, heapGrowthMB: number, peakRssGrowthMB: number } {
  const out = execFileSync(process.execPath, ['src/run-ts.mjs', 'test/perf/haystack-probe.ts'], { encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ReturnType<typeof largestHaystack>
}

/** Every hostile reply of test/support/hostile-markup.ts read in a fresh process, each timed on its own. */
function hostileMarkup(): { results: MarkupResult[], totalMs: number, slowest: MarkupResult } {
  const out = execFileSync(process.execPath, ['src/run-ts.mjs', 'test/support/hostile-markup.ts'], { encoding: 'utf8', timeout: 300_000 })
  const results = out.trim().split('\n').map(line => JSON.parse(line) as MarkupResult)
  const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a))
  return { results, totalMs: results.reduce((n, r) => n + r.ms, 0), slowest }
}

const workload = await measureWorkload(5)
const markup = hostileMarkup()
const haystack = largestHaystack()
const overhead = await overheadPerCall()
const walls = []
for (const suite of suites) {
  walls.push({ id: suite.id, ...await suiteWallTime(100, 8, [`benchmarks/${suite.id}`]) })
}
walls.push({ id: 'every suite', ...await suiteWallTime(100, 8, []) })
const cassettes = await rescoreFromCassettes()
console.log('milo-bench perf (embedded server, this machine)')
console.log('')
const seconds = (value: number): string => `${(value / 1000).toFixed(2)} s`
const mib = (value: number | undefined): string => value === undefined ? 'n/a (needs Linux /proc)' : `${value.toFixed(0)} MiB`
const ratio = workload.milo.large.wallMs / workload.floor.large.wallMs
console.log(`the single-turn loopback workload: ${String(workload.calls.large)} calls (200 tasks x 3 runs, one tool call each, concurrency 8, no latency), whole process, medians of ${String(workload.repeats)}`)
console.log(`  milo-bench (a user-added suite, --project custom): ${seconds(workload.milo.large.wallMs)} (${String(workload.calls.small)} calls: ${seconds(workload.milo.small.wallMs)}), marginal ${ms(workload.marginalMs.milo)} a call, peak ${mib(workload.milo.large.peakRssMiB)}`)
console.log(`  floor (bare Vitest + openai SDK, one test a call):  ${seconds(workload.floor.large.wallMs)} (${String(workload.calls.small)} calls: ${seconds(workload.floor.small.wallMs)}), marginal ${ms(workload.marginalMs.floor)} a call, peak ${mib(workload.floor.large.peakRssMiB)}`)
console.log(`  wall ${ratio.toFixed(2)}x the floor   target: at most 2x  ${ratio <= 2 ? 'MET' : 'MISSED'}`)
console.log(`  marginal ${ms(workload.marginalMs.milo)} a call (${ms(workload.marginalMs.milo - workload.marginalMs.floor)} over the floor's; this process, the embedded server and the memory sampling, spends ${ms(workload.floor.large.serverMsPerCall)} of CPU a call)   target: at most 1.0 ms  ${workload.marginalMs.milo <= 1 ? 'MET' : 'MISSED'}`)
const peak = workload.milo.large.peakRssMiB
console.log(`  peak memory ${mib(peak)} (main process and workers)   target: at most 300 MiB  ${peak === undefined ? 'NOT MEASURED' : peak <= 300 ? 'MET' : 'MISSED'}`)
console.log('')
console.log('harness overhead per model call (openai SDK + counted retries + concurrency slot + normalisation, vs raw fetch)')
console.log(`  raw fetch median ${ms(overhead.raw)}, harness median ${ms(overhead.harness)}`)
console.log(`  added: median ${ms(overhead.median)}, p95 ${ms(overhead.p95)}   target: median < 1.5 ms  ${overhead.median < 1.5 ? 'MET' : 'MISSED'}`)

console.log('')
console.log('wall time at 100 ms per model call, concurrency 8: span of model activity vs the ideal bound (total model time / concurrency)')
for (const wall of walls) {
  console.log(`  ${wall.id.padEnd(12)} ${String(wall.calls).padStart(4)} calls  ${(wall.wall / 1000).toFixed(2)} s vs ${(wall.ideal / 1000).toFixed(2)} s: ${(100 * (wall.wall / wall.ideal - 1)).toFixed(1)}% over   target: within 10%  ${wall.wall <= wall.ideal * 1.1 ? 'MET' : 'MISSED'}   (whole process ${(wall.process / 1000).toFixed(2)} s)`)
}
console.log('')
console.log(`re-scoring every suite from cassettes (${cassettes.runs} runs, a whole \`vitest run\` with MILO_CACHE=strict)`)
console.log(`  ${(cassettes.rescore / 1000).toFixed(2)} s   target: < 5 s  ${cassettes.rescore < 5000 ? 'MET' : 'MISSED'}`)
console.log('')
console.log(`largest long-context haystack (${haystack.id}: ${haystack.tokens} tokens, ${haystack.chars} characters), generated at run time`)
console.log(`  ${ms(haystack.ms)}, heap growth ${haystack.heapGrowthMB.toFixed(1)} MB, peak RSS growth ${haystack.peakRssGrowthMB.toFixed(1)} MB   target: < 1 s and < 50 MB  ${haystack.ms < 1000 && Math.max(haystack.heapGrowthMB, haystack.peakRssGrowthMB) < 50 ? 'MET' : 'MISSED'}`)
console.log('')
console.log(`text-call extraction on hostile replies (${markup.results.length} replies of up to ${(Math.max(...markup.results.map(r => r.chars)) / 1024 / 1024).toFixed(1)} MB of markup that never closes, test/support/hostile-markup.ts)`)
console.log(`  slowest ${ms(markup.slowest.ms)} (${markup.slowest.name}), all ${ms(markup.totalMs)}   target: each < 1 s  ${markup.slowest.ms < 1000 ? 'MET' : 'MISSED'}`)
