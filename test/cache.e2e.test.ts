// The response cache and cassettes: unchanged calls come from disk with their recorded latency; a recorded run
// re-scores with no model at all; strict mode fails on a request it has no recording for.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { cacheKey, openCache } from '../src/models/cache.ts'
import { cacheModeSetting, resolveCache } from '../src/node/settings.ts'
import { createClient, ModelCallError } from '../src/models/client.ts'
import { startReferenceServer } from '../src/node/reference-server.ts'
import { closedAfterEach, hiRequest, testModel } from './support/client-case.ts'
import { okReply, startFaultServer } from './support/fault-server.ts'
import { runBench } from './support/run-bench.ts'

const spec = testModel
const request = hiRequest
const closers = closedAfterEach()

describe('cache settings and keys', () => {
  it('is on while watching and off in `vitest run` unless MILO_CACHE says otherwise', () => {
    const cacheSettings = (env: Record<string, string>, watching: boolean, root: string) => resolveCache(cacheModeSetting(env), env.MILO_CACHE_DIR, watching, root)
    expect(cacheSettings({}, true, '/r')).toEqual({ mode: 'on', dir: '/r/.milo-cache' })
    expect(cacheSettings({}, false, '/r').mode).toBe('off')
    expect(cacheSettings({ MILO_CACHE: 'strict', MILO_CACHE_DIR: 'cassettes' }, false, '/r')).toEqual({ mode: 'strict', dir: '/r/cassettes' })
    expect(() => cacheSettings({ MILO_CACHE: 'yes' }, false, '/r')).toThrow('MILO_CACHE=yes is not')
  })
  it('addresses a reply by the whole request and the repeat number', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'a' }], temperature: 0 }
    expect(cacheKey(body, 0)).toBe(cacheKey({ temperature: 0, messages: [{ content: 'a', role: 'user' }], model: 'm' }, 0))
    expect(cacheKey(body, 0)).not.toBe(cacheKey(body, 1))
    expect(cacheKey(body, 0)).not.toBe(cacheKey({ ...body, temperature: 0.2 }, 0))
  })
})

describe('the client with a cache', () => {
  it('answers an unchanged call from disk with its recorded latency, and calls again for another repeat', async () => {
    const server = await startFaultServer([{ reply: okReply('first'), delayMs: 40 }, { reply: okReply('second') }])
    closers.push(server.close)
    const cache = openCache({ mode: 'on', dir: mkdtempSync(join(tmpdir(), 'milo-cache-')) })
    const client = createClient(spec, { baseURL: server.url, cache })
    const live = await client.complete({ ...request, repeat: 0 })
    const cached = await client.complete({ ...request, repeat: 0 })
    expect(server.requests).toHaveLength(1)
    expect(cached).toMatchObject({ cached: true, latencyMs: live.latencyMs, reply: { content: 'first' } })
    expect(live.latencyMs).toBeGreaterThanOrEqual(39)
    const other = await client.complete({ ...request, repeat: 1 })
    expect(other.reply.content).toBe('second')
    expect(server.requests).toHaveLength(2)
  })
  it('keeps `custom`\'s replies per endpoint, as its rows are; a matrix model\'s follow it wherever its server runs', async () => {
    const [a, b] = await Promise.all([startFaultServer([], okReply('from a')), startFaultServer([], okReply('from b'))])
    closers.push(a.close, b.close)
    const dir = mkdtempSync(join(tmpdir(), 'milo-cache-'))
    const custom = { ...spec, key: 'custom', model: 'qwen' }
    const ask = async (model: typeof spec, baseURL: string): Promise<string | null> => {
      return (await createClient(model, { baseURL, cache: openCache({ mode: 'on', dir }) }).complete(request)).reply.content
    }
    expect(await ask(custom, a.url)).toBe('from a')
    // The same model name and request at another endpoint: its own call, never the other endpoint's reply.
    expect(await ask(custom, b.url)).toBe('from b')
    expect(await ask(custom, a.url)).toBe('from a')
    expect([a.requests.length, b.requests.length]).toEqual([1, 1])
    // A model of the matrix is its key: moved to another server, it keeps its recordings (cassettes replay anywhere).
    expect(await ask(spec, a.url)).toBe('from a')
    expect(await ask(spec, b.url)).toBe('from a')
    expect([a.requests.length, b.requests.length]).toEqual([2, 1])
  })
  it('never keeps the embedded reference models\' replies: they answer from the suite as it is now', async () => {
    const server = await startFaultServer([{ reply: okReply('before the edit') }, { reply: okReply('after the edit') }])
    closers.push(server.close)
    const cache = openCache({ mode: 'on', dir: mkdtempSync(join(tmpdir(), 'milo-cache-')) })
    const client = createClient({ ...spec, server: 'reference' }, { baseURL: server.url, cache })
    expect((await client.complete({ ...request, taskId: 'classic/weather-paris' })).reply.content).toBe('before the edit')
    const again = await client.complete({ ...request, taskId: 'classic/weather-paris' })
    expect(again).toMatchObject({ reply: { content: 'after the edit' } })
    expect(again.cached).not.toBe(true)
    expect(server.requests).toHaveLength(2)
  })
  it('fails a call with no recording in strict mode, as an infrastructure error, without calling the model', async () => {
    const server = await startFaultServer([])
    closers.push(server.close)
    const client = createClient(spec, { baseURL: server.url, cache: openCache({ mode: 'strict', dir: mkdtempSync(join(tmpdir(), 'milo-cache-')) }) })
    const error = await client.complete(request).catch((e: unknown) => e) as ModelCallError
    expect(error).toBeInstanceOf(ModelCallError)
    expect(error.recorded).toMatchObject({ kind: 'cache_miss', infrastructure: true })
    expect(error.recorded.message).toContain('MILO_CACHE=record')
    expect(server.requests).toHaveLength(0)
  })
})

describe('cassettes', () => {
  it('re-score a recorded run with no model at all, to the same scores', async () => {
    const cassettes = mkdtempSync(join(tmpdir(), 'milo-cassettes-'))
    const server = await startReferenceServer({ suites })
    const env = { MILO_BASE_URL: server.url, MILO_MODEL: 'baseline', MILO_CACHE_DIR: cassettes }
    const recorded = await runBench(['--project', 'custom', 'benchmarks/classic', 'benchmarks/v1/tool-calling.spec.ts'], { ...env, MILO_CACHE: 'record' })
    await server.close()
    expect(recorded.code, recorded.output).toBe(0)
    const replayed = await runBench(['--project', 'custom', 'benchmarks/classic', 'benchmarks/v1/tool-calling.spec.ts'], { ...env, MILO_CACHE: 'strict' })
    expect(replayed.code, replayed.output).toBe(0)
    const scores = (run: typeof recorded): unknown => Object.fromEntries(Object.entries(run.leaderboard().suites).map(([id, board]) => [id, board.models.map(m => [m.score, m.categories, m.avgLatencyMs])]))
    expect(scores(replayed)).toEqual(scores(recorded))
    expect(replayed.leaderboard().suites.classic?.models[0]?.complete).toBe(true)
  })
})

describe('a strict replay that misses a recording', () => {
  it('exits 1 naming the first missing request, although the rest re-scored', async () => {
    const cassettes = mkdtempSync(join(tmpdir(), 'milo-cassettes-'))
    const server = await startReferenceServer({ suites })
    const env = { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle', MILO_CACHE_DIR: cassettes }
    // Only weather-paris is recorded; the replay asks for the whole category.
    const recorded = await runBench(['--project', 'custom', 'benchmarks/classic/single-tool.spec.ts', '-t', 'weather-paris'], { ...env, MILO_CACHE: 'record' })
    await server.close()
    expect(recorded.code, recorded.output).toBe(0)
    const replayed = await runBench(['--project', 'custom', 'benchmarks/classic/single-tool.spec.ts'], { ...env, MILO_CACHE: 'strict' })
    const misses = (suites[0]?.categories[0]?.tasks.length ?? 0) * 3 - 3
    expect(replayed.stdout).toMatch(new RegExp(`milo-bench: MILO_CACHE=strict: ${misses} run\\(s\\) had no recording; the first: custom classic/single-tool/[\\w-]+ run [123]: no recording for this request in strict cache mode \\(key [0-9a-f]{64}\\); record it with MILO_CACHE=record`))
    expect(replayed.leaderboard().suites.classic?.models[0]?.tasks['weather-paris']?.score).toBe(3)
    expect(replayed.code).toBe(1)
  }, 120_000)
})
