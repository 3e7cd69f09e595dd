// Every fault a real server produces, served by a real loopback server in front of the reference model: transient
// faults are retried and the run succeeds with its retries counted; the rest end the run with the classified error
// recorded; nothing crashes, hangs or counts a server's fault against the model. Then the benchmark as users run it:
// infrastructure errors counted apart in the leaderboard, a rejected key caught by the preflight, streams that never
// end, tests that end without a run record, arguments nested 10,000 deep or 8 MB long, and finished records and the
// leaderboard surviving a killed process.

import type { FaultServer, FaultServerOptions, FaultStep } from './support/fault-server.ts'
import type { ErrorKind, ModelSpec, RunRecord, Task, Transcript } from '../src/core/types.ts'
import type { TranscriptLine } from '../reporters/transcripts.ts'
import type { LeaderboardFile, ModelResult } from '../src/core/types.ts'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, watch, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { catalog, classic, freshEnv, suites } from '../fixtures/suites.ts'
import { runAgent } from '../src/runtime/agent.ts'
import { createClient } from '../src/models/client.ts'
import { maxRunRecordChars, maxTranscriptChars } from '../src/core/record-caps.ts'
import { offeredTools } from '../src/core/suite.ts'
import { okReply, startFaultServer } from './support/fault-server.ts'
import { sharedReferenceServer } from './support/reference-server.ts'
import { cleanEnv, root, runBench } from './support/run-bench.ts'

const reference = sharedReferenceServer()
const open: FaultServer[] = []
afterAll(async () => {
  await Promise.all(open.splice(0).map(server => server.close()))
})

/** The classic task the oracle answers in two model calls: get_weather(Paris), then the final answer. */
const task = classic.categories[0]?.tasks.find(t => t.id === 'weather-paris') as Task

interface Trial { transcript: Transcript, server: FaultServer, wallMs: number }

/** Runs the task through a fault server whose script comes first; afterwards it forwards to the oracle. */
async function trial(script: FaultStep[], opts: { stream?: boolean, timeoutMs?: number, retries?: number, server?: FaultServerOptions, apiKey?: string } = {}): Promise<Trial> {
  const server = await startFaultServer(script, undefined, { upstream: reference.url, ...opts.server })
  open.push(server)
  const spec: ModelSpec = {
    key: 'faulty', name: 'faulty', model: 'oracle', baseURL: server.url, server: 'vllm', where: 'local', context: { label: '1M', tokens: 1_000_000 },
    ...(opts.stream ? { stream: true } : {}),
    requestTimeoutMs: opts.timeoutMs ?? 5000,
  }
  const client = createClient(spec, { baseURL: server.url, backoffMs: 20, retries: opts.retries ?? 3, ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) })
  const started = performance.now()
  const transcript = await runAgent(task, { spec, client, tools: offeredTools(task, catalog), env: freshEnv(task.env) })
  return { transcript, server, wallMs: performance.now() - started }
}

const posts = (server: FaultServer): number => server.requests.filter(request => request.method === 'POST').length

const errorBody = (message: string, code: number | string | null = null): unknown => ({ error: { message, type: 'server_error', param: null, code } })
const sseFrame = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`
const deltaChunk = (delta: unknown): unknown => ({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'oracle', choices: [{ index: 0, delta, finish_reason: null }] })

function expectSucceeded({ transcript }: Trial, retries: number): void {
  expect(transcript.error, JSON.stringify(transcript.error)).toBeUndefined()
  expect(transcript.endReason).toBe('final')
  expect(transcript.toolCalls.map(call => [call.name, call.arguments])).toEqual([['get_weather', { city: 'Paris' }]])
  expect(transcript.retries).toBe(retries)
  expect(transcript.steps[0]?.retries).toBe(retries)
}

describe.concurrent('transient faults: retried, and the run succeeds with its retries counted', () => {
  it('429 with Retry-After: waits as told (1 s), then succeeds', async () => {
    const result = await trial([{ status: 429, body: errorBody('Rate limit reached', 'rate_limit_exceeded'), headers: { 'retry-after': '1' } }])
    expectSucceeded(result, 1)
    const [first, second] = result.server.requests.filter(request => request.method === 'POST')
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950)
  })

  it('429 without Retry-After (OpenRouter\'s): backs off and succeeds', async () => {
    const result = await trial([{ status: 429, body: { error: { code: 429, message: 'Provider returned error', metadata: { provider_name: 'Google', raw: 'temporarily rate-limited upstream' } }, user_id: 'u' } }])
    expectSucceeded(result, 1)
  })

  it('500, 502 and 503 in a row: three retries, then success', async () => {
    const result = await trial([
      { status: 500, body: errorBody('The server had an error while processing your request.') },
      { raw: '<html><body>502 Bad Gateway</body></html>', status: 502, headers: { 'content-type': 'text/html' } },
      { status: 503, body: { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } } },
    ])
    expectSucceeded(result, 3)
    expect(posts(result.server)).toBe(5)
  })

  it('connection reset before any answer', async () => {
    expectSucceeded(await trial([{ reset: true }]), 1)
  })

  it('a hang past the request timeout is abandoned and retried', async () => {
    // The timeout bounds every exchange whole, so the healthy ones after the hang must fit in it on a loaded machine too.
    const result = await trial([{ hang: true }], { timeoutMs: 1500 })
    expectSucceeded(result, 1)
    expect(result.wallMs).toBeGreaterThanOrEqual(1490)
  })

  it('a truncated body (the connection drops mid-body)', async () => {
    expectSucceeded(await trial([{ truncate: JSON.stringify({ id: 'x', choices: [{ index: 0, message: { role: 'assistant', content: 'cut' }, finish_reason: 'stop' }] }) }]), 1)
  })

  it('a stream cut mid-way (the connection drops between chunks)', async () => {
    const result = await trial([{ sse: [sseFrame(deltaChunk({ role: 'assistant', content: '' })), sseFrame(deltaChunk({ content: 'It is' }))], cut: true }], { stream: true })
    expectSucceeded(result, 1)
  })

  it('an upstream error chunk inside a 200 stream (OpenRouter, code 502)', async () => {
    const result = await trial([{ sse: [sseFrame(deltaChunk({ role: 'assistant', content: '' })), sseFrame({ id: 'gen-1', object: 'chat.completion.chunk', created: 0, model: 'm', error: { code: 502, message: 'Provider returned error' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] })] }], { stream: true })
    expectSucceeded(result, 1)
  })
})

/** A vLLM or SGLang engine that fails after accepting the request: an error object with `code: 400`, inside a 200. */
const engineCrash = { message: 'CUDA error: an illegal memory access was encountered', type: 'BadRequestError', param: null, code: 400 }
const nginx413 = '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n'

describe.concurrent('server faults are never the model\'s failure, and no reply outlasts the request timeout', () => {
  it('an error object with code 400 inside a 200 reply (an engine crash): the server\'s fault, retried, and the run succeeds', async () => {
    expectSucceeded(await trial([{ raw: JSON.stringify({ error: engineCrash }) }]), 1)
  })

  it('an SSE error chunk with code 400 (vLLM, SGLang mid-stream): the server\'s fault, retried, and the run succeeds', async () => {
    expectSucceeded(await trial([{ sse: [sseFrame(deltaChunk({ role: 'assistant', content: '' })), sseFrame({ error: engineCrash })] }], { stream: true }), 1)
  })

  it('an engine that keeps crashing with code 400: recorded as a server error, infrastructure, never bad_request', async () => {
    for (const stream of [false, true]) {
      const step: FaultStep = stream ? { sse: [sseFrame({ error: engineCrash })] } : { raw: JSON.stringify({ error: engineCrash }) }
      const { transcript } = await trial([], { stream, retries: 1, server: { after: step } })
      expect(transcript, `stream: ${stream}`).toMatchObject({ endReason: 'error', retries: 1, error: { kind: 'server', infrastructure: true } })
      expect(transcript.error?.message).toContain('CUDA error')
    }
  })

  it('headers, then a body that stalls: the request timeout covers the body, and the retry succeeds', async () => {
    const result = await trial([{ stall: true, partial: '{"id":"x","object":"chat.completion","choices":[' }], { timeoutMs: 1500 })
    expectSucceeded(result, 1)
    expect(result.wallMs).toBeGreaterThanOrEqual(1490)
  }, 30_000)

  it('a body that always stalls: a timeout, infrastructure, after the retries', async () => {
    const { transcript, server } = await trial([], { timeoutMs: 300, retries: 1, server: { after: { stall: true } } })
    expect(transcript).toMatchObject({ endReason: 'error', retries: 1, error: { kind: 'timeout', infrastructure: true } })
    expect(transcript.error?.message).toContain('request timeout of 300 ms')
    expect(posts(server)).toBe(2)
  }, 30_000)

  it('a stream that trickles a byte every so often: cut off at the request timeout like a silent one, and retried', async () => {
    const result = await trial([{ trickle: true, gapMs: 50 }], { stream: true, timeoutMs: 1500 })
    expectSucceeded(result, 1)
    expect(result.wallMs).toBeGreaterThanOrEqual(1490)
  }, 30_000)

  it('a redirect to another origin is not followed: neither the key nor the conversation reaches it', async () => {
    const elsewhere = await startFaultServer([])
    open.push(elsewhere)
    const { transcript, server } = await trial([{ redirect: `${elsewhere.url}/chat/completions`, status: 307 }], { apiKey: 'sk-milo-redirect-0123456789' })
    expect(transcript).toMatchObject({ endReason: 'error', retries: 0, error: { kind: 'server', status: 307, infrastructure: true } })
    expect(transcript.error?.message).toContain(`redirected the request to another origin (${new URL(elsewhere.url).origin}); not followed`)
    expect(posts(server)).toBe(1)
    expect(elsewhere.requests).toEqual([])
  })

  it('a redirect within the same origin is followed, with the key', async () => {
    const result = await trial([{ redirect: '/v1/chat/completions', status: 307 }], { apiKey: 'sk-milo-redirect-0123456789' })
    expectSucceeded(result, 0)
    // The redirect, the call it led to, and the task's second model call.
    expect(result.server.requests.filter(request => request.method === 'POST').map(request => request.headers.authorization)).toEqual(Array.from({ length: 3 }, () => 'Bearer sk-milo-redirect-0123456789'))
  })
})

/** [fault, expected kind, script, infrastructure, stream] for faults a retry cannot fix. */
const permanent: [string, ErrorKind, FaultStep, boolean, boolean][] = [
  ['malformed JSON in a 200 reply', 'stream', { raw: '{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"It is' }, true, false],
  ['a 200 reply that is an error object', 'stream', { raw: JSON.stringify({ error: { message: 'upstream failed', code: 'bad_response' } }) }, true, false],
  ['a stream that ends cleanly without a finish reason', 'stream', { sse: [sseFrame(deltaChunk({ role: 'assistant', content: 'Hel' })), 'data: [DONE]\n\n'] }, true, true],
  ['old llama.cpp: an `error:` SSE field the parser drops, then [DONE]', 'stream', { sse: ['error: {"code":500,"message":"the request exceeds the available context size","type":"server_error"}\n\n', 'data: [DONE]\n\n'] }, true, true],
  ['OpenRouter error chunk in a 200 stream: "Token limit reached"', 'context_length', { sse: [sseFrame(deltaChunk({ role: 'assistant', content: '' })), sseFrame({ error: { code: 400, message: 'Token limit reached' }, choices: [] })] }, false, true],
  ['llama.cpp error chunk in a 200 stream: unparseable model output', 'bad_request', { sse: [sseFrame({ error: { code: 500, message: 'Failed to parse input at pos 0: [TOOL_CALLS]get_weather{"city"', type: 'server_error' } })] }, false, true],
  ['OpenAI context length', 'context_length', { status: 400, body: { error: { message: 'This model\'s maximum context length is 128000 tokens.', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } } }, false, false],
  ['llama.cpp context size (400)', 'context_length', { status: 400, body: { error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 5213, n_ctx: 4096 } } }, false, false],
  ['llama.cpp context size (500, Sept 2025 builds): not retried', 'context_length', { status: 500, body: { error: { code: 500, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error' } } }, false, false],
  ['vLLM maximum context length', 'context_length', { status: 400, body: { error: { message: 'This model\'s maximum context length is 32768 tokens. However, you requested 40000 tokens.', type: 'BadRequestError', param: null, code: 400 } } }, false, false],
  ['vLLM legacy top-level error (the SDK loses this body)', 'context_length', { status: 400, body: { object: 'error', message: 'This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens.', type: 'BadRequestError', param: null, code: 400 } }, false, false],
  ['Gemini array body (the SDK loses this body)', 'context_length', { status: 400, body: [{ error: { code: 400, message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' } }] }, false, false],
  ['a proxy\'s HTML page for 413 Request Entity Too Large (nginx): not the context, and not retried', 'server', { raw: nginx413, status: 413, headers: { 'content-type': 'text/html' } }, true, false],
  ['Anthropic request too large (413)', 'context_length', { status: 413, body: { type: 'error', error: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' } } }, false, false],
  ['OpenRouter context (provider message)', 'context_length', { status: 400, body: { error: { code: 400, message: 'This endpoint\'s maximum context length is 8192 tokens.', metadata: { provider_name: 'DeepInfra' } } } }, false, false],
  ['DeepSeek context length', 'context_length', { status: 400, body: { error: { message: 'This model\'s maximum context length is 131072 tokens. However, you requested 140000 tokens (139000 in the messages, 1000 in the completion).', type: 'invalid_request_error', param: null, code: 'invalid_request_error' } } }, false, false],
  ['Anthropic prompt too long', 'context_length', { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } } }, false, false],
  ['Gemini unknown field', 'bad_request', { status: 400, body: [{ error: { code: 400, message: 'Invalid JSON payload received. Unknown name "reasoning": Cannot find field.', status: 'INVALID_ARGUMENT' } }] }, false, false],
  ['LM Studio string error', 'bad_request', { status: 400, body: { error: '\'response_format.type\' must be \'json_schema\' or \'text\'' } }, false, false],
  ['a rejected key mid-run (401)', 'auth', { status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } }, true, false],
  ['Ollama model not pulled (404)', 'not_found', { status: 404, body: { error: { message: 'model "qwen9" not found, try pulling it first', type: 'not_found_error', param: null, code: null } } }, true, false],
]

describe.concurrent('permanent faults: the run ends with the classified error recorded, not retried, nothing thrown', () => {
  it.each(permanent)('%s: %s', async (_, kind, step, infrastructure, stream) => {
    const { transcript, server } = await trial([step], { stream })
    expect(transcript.endReason).toBe('error')
    expect(transcript.error).toMatchObject({ kind, infrastructure })
    expect(transcript.error?.message.length).toBeGreaterThan(0)
    expect(transcript.retries).toBe(0)
    expect(posts(server)).toBe(1)
  })

  it('the SDK-lost bodies keep the server\'s own message', async () => {
    const { transcript } = await trial([{ status: 400, body: [{ error: { code: 400, message: 'Invalid JSON payload received. Unknown name "reasoning": Cannot find field.', status: 'INVALID_ARGUMENT' } }] }])
    expect(transcript.error?.message).toBe('HTTP 400: Invalid JSON payload received. Unknown name "reasoning": Cannot find field.')
  })

  it('a transient fault that does not clear: retried until the retries run out, then recorded as infrastructure', async () => {
    const { transcript, server } = await trial([], { retries: 2, server: { after: { status: 503, body: errorBody('server busy, please try again.  maximum pending requests exceeded') } } })
    expect(transcript).toMatchObject({ endReason: 'error', retries: 2, error: { kind: 'server', status: 503, infrastructure: true } })
    expect(posts(server)).toBe(3)
  })

  it('a fault on the second model call keeps the first call\'s work in the transcript', async () => {
    const server = await startFaultServer([{ reply: { id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, finish_reason: 'tool_calls' }] } }], undefined, { after: { status: 400, body: { error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error' } } } })
    open.push(server)
    const spec: ModelSpec = { key: 'f', name: 'f', model: 'm', baseURL: server.url, server: 'llama.cpp', where: 'local', context: { label: '1M', tokens: 1_000_000 } }
    const transcript = await runAgent(task, { spec, client: createClient(spec, { baseURL: server.url }), tools: offeredTools(task, catalog), env: freshEnv(task.env) })
    expect(transcript).toMatchObject({ endReason: 'error', error: { kind: 'context_length' } })
    expect(transcript.toolCalls).toHaveLength(1)
    expect(transcript.steps).toHaveLength(1)
  })
})

/** One prompt of classic, for a run whose every request meets the same fault. */
const weatherOnly = ['benchmarks/classic/single-tool.spec.ts', '-t', 'weather-paris']

describe.concurrent('the benchmark against faulty servers, as users run it', () => {
  it('transient faults: the run is complete, scored 100%, with its retries counted in the leaderboard', async () => {
    const server = await startFaultServer([{ reset: true }, { status: 503, body: errorBody('overloaded') }, { status: 429, body: errorBody('slow down'), headers: { 'retry-after': '1' } }], undefined, { upstream: reference.url })
    open.push(server)
    const run = await runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle', MILO_CONCURRENCY: '1' })
    expect(run.code, run.output).toBe(0)
    const result = run.leaderboard().suites.classic?.models[0]
    expect(result).toMatchObject({ project: 'custom', complete: true, percent: 100, infraErrors: 0, retries: 3, rank: 1 })
    expect(run.stdout).toContain('custom: 3 request(s) retried after transient server errors')
  }, 180_000)

  it('a permanent infrastructure fault: every run recorded with its error, not scored, counted apart, the model not ranked', async () => {
    const models = { status: 200, body: { object: 'list', data: [{ id: 'qwen3:32b', object: 'model' }] } }
    const server = await startFaultServer([], undefined, { models, after: { status: 404, body: { error: { message: 'model "qwen9" not found, try pulling it first', type: 'not_found_error', param: null, code: null } } } })
    open.push(server)
    // One prompt is enough: every run of it meets the fault.
    const run = await runBench(['--project', 'custom', ...weatherOnly], { MILO_BASE_URL: server.url, MILO_MODEL: 'qwen9' })
    // The pre-run check said why before any test ran: the server does not list the id.
    expect(run.stdout).toContain(`milo-bench: custom: ${server.url}/models does not list 'qwen9' (it lists 'qwen3:32b')`)
    const result = run.leaderboard().suites.classic?.models[0]
    const runs = classic.runs
    // Nothing was scored: the exit code says so.
    expect(run.code, run.output).toBe(1)
    expect(run.stdout).toContain(`milo-bench: nothing was scored: all ${runs} run(s) ended by infrastructure errors`)
    expect(result).toMatchObject({ project: 'custom', complete: false, rank: null, infraErrors: runs, retries: 0, modelCalls: 0 })
    expect(run.stdout).toContain(`custom: ${runs} run(s) ended by infrastructure errors`)
    const records = readRecords(run.resultsDir, 'custom')
    expect(records).toHaveLength(runs)
    for (const record of records) {
      expect(record).toMatchObject({ score: null, endReason: 'error', error: { kind: 'not_found', status: 404, infrastructure: true } })
      expect(record.error?.message).toContain('try pulling it first')
    }
  }, 180_000)

  it('a permanent model-side fault (context overflow): runs are scored 0, complete, and not counted as infrastructure', async () => {
    const server = await startFaultServer([], undefined, { after: { status: 400, body: { error: { message: 'This model\'s maximum context length is 4096 tokens.', type: 'BadRequestError', param: null, code: 400 } } } })
    open.push(server)
    const run = await runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: server.url, MILO_MODEL: 'tiny' })
    expect(run.code, run.output).toBe(0)
    const result = run.leaderboard().suites.classic?.models[0]
    expect(result).toMatchObject({ complete: true, infraErrors: 0, rank: 1 })
    expect(result?.percent).toBeLessThan(50)
    const records = readRecords(run.resultsDir, 'custom')
    expect(records.length).toBe(result?.runs)
    expect(result?.endReasons).toEqual({ error: records.length })
    for (const record of records) {
      expect(record).toMatchObject({ endReason: 'error', error: { kind: 'context_length', status: 400, infrastructure: false } })
      expect(record.score).not.toBeNull()
    }
  }, 180_000)

  it('a rejected key at preflight: one line naming the URL and the variable; the project is skipped', async () => {
    const server = await startFaultServer([], undefined, { models: { status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } } } })
    open.push(server)
    const run = await runBench(['--project', 'custom', ...weatherOnly], { MILO_BASE_URL: server.url, MILO_MODEL: 'm', MILO_API_KEY: 'sk-milo-preflight-0123456789' })
    expect(run.code, run.output).toBe(1)
    expect(run.output.match(new RegExp(`custom: skipped: ${server.url.replace(/[.]/g, '\\.')} rejected the key in MILO_API_KEY \\(HTTP 401\\)`, 'g'))).toHaveLength(1)
    expect(posts(server)).toBe(0)
    expect(existsSync(join(run.resultsDir, 'runs', 'custom'))).toBe(false)
    expect(run.output).not.toContain('sk-milo-preflight-0123456789')
  }, 180_000)
})

function readRecords(resultsDir: string, project: string): RunRecord[] {
  const dir = join(resultsDir, 'runs', project)
  return readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').split('\n').filter(line => line !== '').map(line => JSON.parse(line) as RunRecord))
}

function lines(resultsDir: string, kind: 'runs' | 'transcripts', project: string): string[] {
  const dir = join(resultsDir, kind, project)
  return readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').split('\n').filter(line => line !== ''))
}

/** One model call that asks for get_weather with these raw arguments (any JSON, or a string as sent). */
const weatherCall = (args: unknown): unknown => ({
  id: 'x', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: args } }] }, finish_reason: 'tool_calls' }],
})

describe.concurrent('the benchmark: what used to hang, vanish or crash', () => {
  it('a stream that trickles forever: each run is recorded as a timeout (infrastructure), and with nothing scored the exit is 1', async () => {
    const server = await startFaultServer([], undefined, { after: { trickle: true, gapMs: 100 } })
    open.push(server)
    const run = await runBench(['--project', 'custom', ...weatherOnly], { MILO_BASE_URL: server.url, MILO_MODEL: 'm', MILO_STREAM: '1', MILO_TIMEOUT_MS: '500', MILO_CONCURRENCY: '3' })
    const records = readRecords(run.resultsDir, 'custom')
    expect(records, run.output).toHaveLength(classic.runs)
    for (const record of records) {
      expect(record).toMatchObject({ score: null, endReason: 'error', retries: 3, error: { kind: 'timeout', infrastructure: true } })
    }
    expect(run.stdout).toContain(`milo-bench: nothing was scored: all ${classic.runs} run(s) ended by infrastructure errors`)
    expect(run.code, run.output).toBe(1)
  }, 120_000)

  it('a test that ends without a run record (its timeout, an error before the run, a project with no model) is recorded as an infrastructure error, and the exit is 1', async () => {
    // A spec of its own under a config of its own, as a user's suite would be: one test that outlives its timeout,
    // one whose body throws before it runs the task, and one in a project the config gives no model (as a
    // --merge-reports job that does not define a shard's project would), which has no row to be recorded in. The
    // leaderboard reporter is the project's.
    const dir = mkdtempSync(join(root, 'node_modules', '.milo-lost-'))
    const resultsDir = mkdtempSync(join(tmpdir(), 'milo-lost-results-'))
    try {
      const meta = (taskId: string, run: number): string => JSON.stringify({ suite: 'classic', category: 'single-tool', taskId, maxScore: 3, points: 3, run })
      writeFileSync(join(dir, 'lost.spec.ts'), [
        'import { test } from \'vitest\'',
        `test('weather-paris', { meta: ${meta('weather-paris', 0)}, timeout: 300 }, () => new Promise(() => {}))`,
        `test('time-in-mumbai', { meta: ${meta('time-in-mumbai', 1)} }, () => { throw new Error('rubric bug: no such field') })`,
      ].join('\n'))
      writeFileSync(join(dir, 'no-model.spec.ts'), [
        'import { test } from \'vitest\'',
        `test('weather-paris', { meta: ${meta('weather-paris', 2)} }, () => { throw new Error('no model to call') })`,
      ].join('\n'))
      const spec: ModelSpec = { key: 'custom', name: 'lost', model: 'm', baseURL: 'http://127.0.0.1:9/v1', server: 'vllm', where: 'local', context: { label: '1M', tokens: 1_000_000 } }
      writeFileSync(join(dir, 'vitest.config.ts'), [
        'import { defineConfig } from \'vitest/config\'',
        `import LeaderboardReporter from ${JSON.stringify(join(root, 'reporters/leaderboard-reporter.ts'))}`,
        `import { suites } from ${JSON.stringify(join(root, 'fixtures/suites.ts'))}`,
        `export default defineConfig({ test: { root: ${JSON.stringify(dir)}, reporters: ['default', new LeaderboardReporter({ outputDir: ${JSON.stringify(resultsDir)}, suites })],`,
        `  projects: [{ test: { name: 'custom', include: ['lost.spec.ts'], provide: { model: ${JSON.stringify(spec)} } } }, { test: { name: 'unmodelled', include: ['no-model.spec.ts'] } }] } })`,
      ].join('\n'))
      const run = await runBench(['--config', join(dir, 'vitest.config.ts')], {}, resultsDir)
      const records = readRecords(resultsDir, 'custom').sort((a, b) => a.repeat - b.repeat)
      expect(records.map(record => [record.taskId, record.score, record.error?.kind, record.error?.infrastructure]), run.output).toEqual([
        ['weather-paris', null, 'timeout', true],
        ['time-in-mumbai', null, 'harness', true],
      ])
      expect(records[0]?.error?.message).toBe('the test ended without a run record: Test timed out in 300ms.')
      expect(records[1]?.error?.message).toBe('the test ended without a run record: rubric bug: no such field')
      expect(run.stdout).toMatch(/milo-bench: 3 test\(s\) ended without a run record \(recorded as infrastructure errors, not scored\); the first: (custom|unmodelled) classic\/single-tool\//)
      expect(run.leaderboard().suites.classic?.models).toHaveLength(1)
      expect(run.leaderboard().suites.classic?.models[0]).toMatchObject({ project: 'custom', complete: false, infraErrors: 2, rank: null })
      expect(run.code).toBe(1)
    }
    finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it('arguments nested 10,000 deep: recorded and scored as invalid arguments, every check recorded, no RangeError', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`
    const server = await startFaultServer([], undefined, { after: { reply: weatherCall(deep) } })
    open.push(server)
    const run = await runBench(['--project', 'custom', ...weatherOnly], { MILO_BASE_URL: server.url, MILO_MODEL: 'm' })
    expect(run.code, run.output).toBe(0)
    expect(run.output).not.toContain('RangeError')
    const records = readRecords(run.resultsDir, 'custom')
    expect(records).toHaveLength(classic.runs)
    for (const record of records) {
      // The right tool, first: 1 of 3 points; its arguments are invalid, so neither argument check passes, and the
      // model never answers (every reply is the same call), so the answer check fails too.
      expect(record.checks.map(check => [check.name, check.pass])).toEqual([['right tool', true], ['arguments valid against the schema', false], ['right argument values', false], ['answer reports the result', false]])
      expect(record.score).toBe(1)
    }
    const transcript = (JSON.parse(lines(run.resultsDir, 'transcripts', 'custom')[0] ?? '{}') as TranscriptLine).transcript
    expect(transcript.toolCalls[0]).toMatchObject({ arguments: null, outcome: { ok: false, code: 'invalid_arguments', error: 'arguments are nested deeper than 64 levels' } })
  }, 120_000)

  it('8 MB of tool arguments: every stored field is cut in the middle, records stay under their stated sizes, and a later run into the folder still works', async () => {
    const big = JSON.stringify({ city: `Paris${'x'.repeat(8 * 1024 * 1024)}end` })
    const server = await startFaultServer([{ reply: weatherCall(big) }, { reply: weatherCall(big) }, { reply: weatherCall(big) }], undefined, { after: { reply: okReply('It is 18°C and cloudy in Paris.') } })
    open.push(server)
    const first = await runBench(['--project', 'custom', ...weatherOnly], { MILO_BASE_URL: server.url, MILO_MODEL: 'm', MILO_CONCURRENCY: '1' })
    expect(first.code, first.output).toBe(0)
    for (const line of lines(first.resultsDir, 'runs', 'custom')) {
      expect(line.length).toBeLessThan(maxRunRecordChars)
    }
    const transcripts = lines(first.resultsDir, 'transcripts', 'custom')
    expect(transcripts).toHaveLength(classic.runs)
    for (const line of transcripts) {
      expect(line.length).toBeLessThan(maxTranscriptChars)
    }
    const calls = transcripts.flatMap(line => (JSON.parse(line) as TranscriptLine).transcript.toolCalls)
    expect(calls.length).toBeGreaterThanOrEqual(3)
    for (const call of calls) {
      expect(call.rawArguments).toMatch(/^\{"city":"Parisx+\[… \d+ characters cut …\]x+end"\}$/)
      expect(call.outcome).toMatchObject({ ok: false, code: 'invalid_arguments' })
    }
    // A transcripts file as the harness wrote them before the caps (2 GB reached in the issue): 600 MB more, no newline.
    const file = join(first.resultsDir, 'transcripts', 'custom', readdirSync(join(first.resultsDir, 'transcripts', 'custom'))[0] as string)
    truncateSync(file, statSync(file).size + 600 * 1024 * 1024)
    const later = await runBench(['--project', 'oracle', 'benchmarks/classic/single-tool.spec.ts'], {}, first.resultsDir)
    expect(later.code, later.output).toBe(0)
    expect(later.output).not.toContain('ERR_STRING_TOO_LONG')
    expect(readFileSync(join(first.resultsDir, 'leaderboard.html'), 'utf8')).toContain('data-project="custom"')
  }, 180_000)
})

describe('the leaderboard survives', () => {
  it('an unreadable leaderboard.json is moved aside with a line saying so, never overwritten', async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'milo-unreadable-'))
    const cut = '{"schema": 1, "updatedAt": "2026-12-01T00:00:00.000Z", "suites": {"classic": {"models": [{"project": "kept'
    writeFileSync(join(resultsDir, 'leaderboard.json'), cut)
    const run = await runBench(['--project', 'oracle', 'benchmarks/classic/single-tool.spec.ts'], {}, resultsDir)
    expect(run.code, run.output).toBe(0)
    const aside = readdirSync(resultsDir).filter(name => name.startsWith('leaderboard.json.unreadable-'))
    expect(aside).toHaveLength(1)
    expect(readFileSync(join(resultsDir, aside[0] as string), 'utf8')).toBe(cut)
    expect(run.stdout).toContain(`milo-bench: ${join(resultsDir, 'leaderboard.json')} could not be read (`)
    expect(run.stdout).toContain(`moved it to ${join(resultsDir, aside[0] as string)} and started a new leaderboard`)
    expect(run.leaderboard().suites.classic?.models.map(model => model.project)).toEqual(['oracle'])
  }, 120_000)

  it('kill -9 while leaderboard.json is being rewritten: the file is the old one or the new one, whole, every kept entry in it', async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'milo-rewrite-'))
    const seed = await runBench(['--project', 'oracle', 'benchmarks/classic/single-tool.spec.ts'], {}, resultsDir)
    expect(seed.code, seed.output).toBe(0)
    // 5,000 kept entries of 20 KB each: a rewrite of about 100 MB, long enough for the kill to land in the middle of it.
    const board = seed.leaderboard()
    const oracle = board.suites.classic?.models[0] as ModelResult
    const kept = 5000
    const seeded: LeaderboardFile = { ...board, suites: { ...board.suites, classic: { ...board.suites.classic!, models: Array.from({ length: kept }, (_, i) => ({ ...oracle, project: `kept${i}`, name: `kept ${i} ${'x'.repeat(20_000)}` })) } } }
    writeFileSync(join(resultsDir, 'leaderboard.json'), JSON.stringify(seeded))
    const env: NodeJS.ProcessEnv = { ...cleanEnv({}), MILO_RESULTS_DIR: resultsDir }
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'oracle', 'benchmarks/classic/single-tool.spec.ts'], { cwd: root, env, detached: true, stdio: 'ignore' })
    const exited = new Promise<void>(resolve => child.on('exit', () => resolve()))
    // The moment the rewrite starts (the file truncated, or its temporary file created), the whole process group dies.
    let killed = false
    const watcher = watch(resultsDir, (_, name) => {
      if (!killed && name !== null && name.startsWith('leaderboard.json')) {
        killed = true
        process.kill(-(child.pid as number), 'SIGKILL')
      }
    })
    await exited
    watcher.close()
    expect(killed, 'the run ended before it rewrote leaderboard.json').toBe(true)
    const after = JSON.parse(readFileSync(join(resultsDir, 'leaderboard.json'), 'utf8')) as LeaderboardFile
    expect(after.suites.classic?.models.filter(model => model.project.startsWith('kept'))).toHaveLength(kept)
  }, 120_000)
})

describe('killing the benchmark mid-run', () => {
  it('leaves every finished record intact: whole JSON lines, none partial, the rest simply missing', async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'milo-kill-'))
    const env: NodeJS.ProcessEnv = { ...cleanEnv({}), MILO_RESULTS_DIR: resultsDir, MILO_BASE_URL: reference.url, MILO_MODEL: 'oracle,latency=300', MILO_CONCURRENCY: '2', FORCE_COLOR: '0' }
    for (const key of Object.keys(env)) {
      if (key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST') {
        delete env[key]
      }
    }
    // Its own process group, so the kill takes the workers too, all at once, as a crash or `kill -9` would.
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'custom', 'benchmarks/classic'], { cwd: root, env, detached: true, stdio: 'ignore' })
    const exited = new Promise<void>(resolve => child.on('exit', () => resolve()))
    const dir = join(resultsDir, 'runs', 'custom')
    const lines = (): string[] => (existsSync(dir) ? readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').split('\n').filter(line => line !== '')) : [])
    const deadline = performance.now() + 90_000
    while (lines().length < 2 && performance.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    process.kill(-(child.pid as number), 'SIGKILL')
    await exited
    expect(existsSync(dir), 'no record was written before the deadline').toBe(true)
    const files = readdirSync(dir)
    expect(files.length).toBeGreaterThan(0)
    const total = classic.runs * classic.categories.reduce((n, category) => n + category.tasks.length, 0)
    let records = 0
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8')
      expect(text.endsWith('\n'), `${file} ends mid-line`).toBe(true)
      for (const line of text.split('\n').filter(part => part !== '')) {
        const record = JSON.parse(line) as RunRecord
        expect(record).toMatchObject({ schema: 1, project: 'custom', endReason: 'final', score: 3, suite: { id: 'classic' } })
        expect(record.checks.length).toBeGreaterThan(0)
        records++
      }
    }
    expect(records).toBeGreaterThanOrEqual(2)
    expect(records).toBeLessThan(total)
    expect(existsSync(join(resultsDir, 'leaderboard.json'))).toBe(false)
  }, 120_000)
})
