// Streaming mode (`stream: true` on an entry, MILO_STREAM=1 for custom): tool calls assembled from deltas of every
// shape, time to first token and output tokens per second recorded per step, a stream that ends without a finish
// reason recorded as an error, and the whole benchmark run streamed.

import type { FaultServer } from './support/fault-server.ts'
import type { TranscriptLine } from '../reporters/transcripts.ts'
import type { ModelSpec, RunRecord, Task } from '../src/core/types.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { catalog, classic, freshEnv } from '../fixtures/suites.ts'
import { offeredTools } from '../src/core/suite.ts'
import { runAgent } from '../src/runtime/agent.ts'
import { createClient } from '../src/models/client.ts'
import { startFaultServer } from './support/fault-server.ts'
import { sharedReferenceServer } from './support/reference-server.ts'
import { runBench } from './support/run-bench.ts'

const reference = sharedReferenceServer()
const open: FaultServer[] = []
afterAll(async () => {
  await Promise.all(open.splice(0).map(server => server.close()))
})

const task = classic.categories[0]?.tasks.find(t => t.id === 'weather-paris') as Task
const tools = offeredTools(task, catalog)
const streaming = (baseURL: string, server: ModelSpec['server'] = 'vllm'): ModelSpec => ({ key: 's', name: 's', model: 'oracle', baseURL, server, where: 'local', context: { label: '1M', tokens: 1_000_000 }, stream: true })

const frame = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`
const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}): string =>
  frame({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })
const done = 'data: [DONE]\n\n'

describe('streamed replies through the client and the agent', () => {
  it('against the reference server: fragmented arguments assembled, the run scores as the non-streamed one', async () => {
    const spec = streaming(reference.url)
    const transcript = await runAgent(task, { spec, client: createClient(spec, { baseURL: reference.url }), tools, env: freshEnv(task.env) })
    expect(transcript.endReason).toBe('final')
    expect(transcript.toolCalls.map(call => [call.name, call.arguments, call.source])).toEqual([['get_weather', { city: 'Paris' }, 'native']])
    expect(transcript.finalText).toBe((task.solution.at(-1) as { final: string }).final)
    for (const step of transcript.steps) {
      expect(step.ttftMs).toBeGreaterThanOrEqual(0)
      expect(step.ttftMs).toBeLessThanOrEqual(step.latencyMs)
      expect(step.outputTokensPerSecond).toBeGreaterThan(0)
      expect(step.usage.outputTokens).toBeGreaterThan(0)
    }
  })

  it('sends stream: true with include_usage, and iterates raw chunks: Gemini calls without index, SSE comments, "stop" after calls', async () => {
    const server = await startFaultServer([
      { sse: [
        ': OPENROUTER PROCESSING\n\n',
        frame({ object: 'chat.completion.chunk', model: 'gemini', choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ id: 'call_297140', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' }, extra_content: { google: { thought_signature: 'EjQKMgG' } } }] } }] }),
        ': keep-alive\n\n',
        frame({ object: 'chat.completion.chunk', model: 'gemini', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: 'stop' }], usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59 } }),
        done,
      ] },
      { sse: [chunk({ role: 'assistant', content: 'It is 18°C and cloudy in Paris.' }), chunk({}, 'stop'), done] },
    ])
    open.push(server)
    const spec = streaming(server.url, 'gemini')
    const transcript = await runAgent(task, { spec, client: createClient(spec, { baseURL: server.url }), tools, env: freshEnv(task.env) })
    expect(transcript.endReason).toBe('final')
    expect(transcript.toolCalls.map(call => [call.id, call.name, call.arguments])).toEqual([['call_297140', 'get_weather', { city: 'Paris' }]])
    const [first, second] = server.requests
    expect(first?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })
    // Gemini 3 rejects a replayed call without its thought signature: it goes back exactly as it came.
    const replayed = (second?.body.messages as { role: string, tool_calls?: unknown[] }[]).find(message => message.role === 'assistant')
    expect(replayed?.tool_calls).toEqual([{ id: 'call_297140', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' }, extra_content: { google: { thought_signature: 'EjQKMgG' } } }])
  })

  it('an Anthropic call at index 1, fragmented, after text; ids synthesised when a stream sends none', async () => {
    const server = await startFaultServer([
      { sse: [
        chunk({ role: 'assistant' }),
        chunk({ content: 'Let me check.' }),
        chunk({ tool_calls: [{ index: 1, type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '{"ci' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: 'ty": "Paris"}' } }] }),
        chunk({}, 'tool_calls'),
        done,
      ] },
      { sse: [chunk({ role: 'assistant', content: 'Cloudy, 18°C.' }), chunk({}, 'stop'), done] },
    ])
    open.push(server)
    const spec = streaming(server.url, 'anthropic')
    const transcript = await runAgent(task, { spec, client: createClient(spec, { baseURL: server.url }), tools, env: freshEnv(task.env) })
    expect(transcript.toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Paris' }, outcome: { ok: true } })
    const id = transcript.toolCalls[0]?.id ?? ''
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/)
    const tool = (server.requests[1]?.body.messages as { role: string, tool_call_id?: string }[]).find(message => message.role === 'tool')
    expect(tool?.tool_call_id).toBe(id)
  })

  it('time to first token is the first chunk with output, not the empty role chunk; tokens per second count after it', async () => {
    const server = await startFaultServer([
      { gapMs: 120, sse: [
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'It is ' }),
        chunk({ content: '18°C.' }),
        chunk({}, 'stop', { usage: { prompt_tokens: 40, completion_tokens: 24, total_tokens: 64 } }),
        done,
      ] },
    ])
    open.push(server)
    const spec = streaming(server.url)
    const transcript = await runAgent(task, { spec, client: createClient(spec, { baseURL: server.url }), tools, env: freshEnv(task.env) })
    const step = transcript.steps[0]
    expect(transcript.finalText).toBe('It is 18°C.')
    // The content arrives one gap after the role chunk; the rest takes about three more gaps.
    expect(step?.ttftMs).toBeGreaterThanOrEqual(100)
    expect((step?.latencyMs ?? 0) - (step?.ttftMs ?? 0)).toBeGreaterThanOrEqual(300)
    const expected = 24 / (((step?.latencyMs ?? 0) - (step?.ttftMs ?? 0)) / 1000)
    expect(step?.outputTokensPerSecond).toBeCloseTo(expected, 1)
  })

  it('a stream that ends without a finish reason is an error, not an empty answer', async () => {
    const server = await startFaultServer([{ sse: [chunk({ role: 'assistant', content: 'It is 18' }), done] }])
    open.push(server)
    const spec = streaming(server.url)
    const transcript = await runAgent(task, { spec, client: createClient(spec, { baseURL: server.url }), tools, env: freshEnv(task.env) })
    expect(transcript).toMatchObject({ endReason: 'error', finalText: null, error: { kind: 'stream', infrastructure: true } })
    expect(transcript.error?.message).toContain('without a finish_reason')
  })
})

describe('the benchmark streamed (MILO_STREAM=1)', () => {
  it('the oracle scores 100%: every request asks for a stream, every reply comes as one, every step has its ttft', async () => {
    // A pass-through in front of the reference server sees what the benchmark really sends.
    const proxy = await startFaultServer([], undefined, { upstream: reference.url })
    open.push(proxy)
    const run = await runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: proxy.url, MILO_MODEL: 'oracle', MILO_STREAM: '1', MILO_CONCURRENCY: '4' })
    expect(run.code, run.output).toBe(0)
    const board = run.leaderboard()
    expect(board.suites.classic?.models[0]).toMatchObject({ project: 'custom', percent: 100, complete: true, textToolCalls: 0 })
    const readLines = <T>(dir: string): T[] => readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as T))
    const records = readLines<RunRecord>(join(run.resultsDir, 'runs', 'custom'))
    expect(records).toHaveLength(60)
    expect(records.every(record => record.model.stream === true && record.endReason === 'final')).toBe(true)
    const posts = proxy.requests.filter(request => request.method === 'POST')
    expect(posts).toHaveLength(records.reduce((n, record) => n + record.calls, 0))
    for (const post of posts) {
      expect(post.body).toMatchObject({ model: 'oracle', stream: true, stream_options: { include_usage: true } })
    }
    const transcripts = readLines<TranscriptLine>(join(run.resultsDir, 'transcripts', 'custom'))
    expect(transcripts).toHaveLength(records.length)
    const steps = transcripts.flatMap(line => line.transcript.steps)
    expect(steps).toHaveLength(posts.length)
    for (const step of steps) {
      expect(step.ttftMs).toBeGreaterThanOrEqual(0)
      expect(step.ttftMs).toBeLessThanOrEqual(step.latencyMs)
      expect(step.outputTokensPerSecond).toBeGreaterThan(0)
    }
  }, 180_000)
})
