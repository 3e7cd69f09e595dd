// Time budgets count model time: the HTTP exchanges of a run's calls. Waiting for a concurrency slot and retry backoff
// do not count, the call in flight when the budget runs out is aborted, and a replay from recordings ends where the
// recorded run did.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { BudgetExhaustedError, createClient } from '../src/models/client.ts'
import { startReferenceServer } from '../src/node/reference-server.ts'
import { startSlotServer } from '../src/node/slot-server.ts'
import { acquireSlot } from '../src/runtime/slots.ts'
import { closedAfterEach, hiRequest, testModel } from './support/client-case.ts'
import { okReply, startFaultServer } from './support/fault-server.ts'
import { runBench } from './support/run-bench.ts'

const spec = testModel
const request = hiRequest
const closers = closedAfterEach()

describe('a call against a budget', () => {
  it('does not count the time spent waiting for a concurrency slot', async () => {
    const server = await startFaultServer([{ reply: okReply('a'), delayMs: 500 }, { reply: okReply('b'), delayMs: 500 }])
    const slots = await startSlotServer({ m: 1 })
    closers.push(server.close, slots.close)
    const client = createClient(spec, { baseURL: server.url, acquire: () => acquireSlot(slots.url, 'm') })
    // Both calls start together; with one slot one of them waits for the other's exchange (500 ms, more on a loaded
    // machine) before its own. Its wall time holds the wait; its model time must not, and its 900 ms budget must last:
    // a budget that ran on wall time would run out during its own exchange.
    const timed = async (): Promise<Awaited<ReturnType<typeof client.complete>> & { wallMs: number }> => {
      const started = performance.now()
      const result = await client.complete(request, undefined, { remainingMs: 900 })
      return { ...result, wallMs: performance.now() - started }
    }
    const results = await Promise.all([timed(), timed()])
    expect(results.map(r => r.reply.content).sort()).toEqual(['a', 'b'])
    expect(slots.peaks.get('m')).toBe(1)
    const [first, waited] = [...results].sort((a, b) => a.wallMs - b.wallMs) as [typeof results[0], typeof results[0]]
    for (const result of [first, waited]) {
      expect(result.activeMs).toBeGreaterThanOrEqual(490)
    }
    expect(waited.wallMs).toBeGreaterThanOrEqual(first.activeMs + 490)
    expect(waited.wallMs).toBeGreaterThan(900)
    expect(waited.activeMs).toBeLessThan(waited.wallMs - 400)
  })

  it('does not count retry backoff, and aborts the exchange that outlasts what is left', async () => {
    const server = await startFaultServer([{ status: 503 }, { reply: okReply('late'), delayMs: 400 }])
    closers.push(server.close)
    const client = createClient(spec, { baseURL: server.url, backoffMs: 300 })
    const started = performance.now()
    const error = await client.complete(request, undefined, { remainingMs: 200 }).catch((e: unknown) => e)
    const wall = performance.now() - started
    expect(error).toBeInstanceOf(BudgetExhaustedError)
    // 300 ms of backoff plus up to 200 ms of exchanges: the backoff alone would have spent the budget.
    expect(wall).toBeGreaterThanOrEqual(450)
    expect(wall).toBeLessThan(1000)
    expect(server.requests).toHaveLength(2)
  })
})

describe('budgets in a benchmark run', () => {
  it('a slow model runs out of budget; replayed from its recordings it ends the same way, to the same scores', async () => {
    const server = await startReferenceServer({ suites })
    closers.push(server.close)
    const cassettes = mkdtempSync(join(tmpdir(), 'milo-budget-'))
    // agentic workflow's 90 s budgets become 900 ms of model time: a 400 ms model gets two calls per task.
    const env = { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle,latency=400', MILO_BUDGET_SCALE: '0.01', MILO_CONCURRENCY: '1', MILO_CACHE_DIR: cassettes }
    const files = ['benchmarks/v1/agentic-workflow.spec.ts']
    const recorded = await runBench(['--project', 'custom', ...files], { ...env, MILO_CACHE: 'record' })
    expect(recorded.code, recorded.output).toBe(0)
    const live = recorded.leaderboard().suites.v1?.models[0]
    // With concurrency 1 the five tasks queue for the one slot; queueing costs no budget, so every task gets its calls.
    expect(live?.endReasons.budget).toBe(5)
    expect(live?.infraErrors).toBe(0)
    expect(live?.categories['agentic-workflow']).toBeGreaterThan(0)
    expect(live?.categories['agentic-workflow']).toBeLessThan(1)
    const replayed = await runBench(['--project', 'custom', ...files], { ...env, MILO_CACHE: 'strict' })
    expect(replayed.code, replayed.output).toBe(0)
    const again = replayed.leaderboard().suites.v1?.models[0]
    expect(again?.endReasons).toEqual(live?.endReasons)
    expect(again?.infraErrors).toBe(0)
    expect(again?.tasks).toEqual(live?.tasks)
  })
})
