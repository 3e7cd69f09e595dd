import type { ModelSpec } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { buildRequestBody, createClient, ModelCallError, retryAfterMs } from '../src/models/client.ts'
import { closedAfterEach, hiRequest, testModel } from './support/client-case.ts'
import { okReply, startFaultServer } from './support/fault-server.ts'

const spec: ModelSpec = { ...testModel, params: { maxOutputTokens: 256 } }
const request = hiRequest
const closers = closedAfterEach()

describe('client retries (against a loopback server that fails on purpose)', () => {
  it('retries 5xx and counts the retries; latency covers only the successful exchange', async () => {
    const server = await startFaultServer([{ status: 503, body: { error: { message: 'overloaded' } } }, { status: 500, body: { error: 'boom' } }, { reply: okReply('fine'), delayMs: 30 }])
    closers.push(server.close)
    const client = createClient(spec, { baseURL: server.url, backoffMs: 150 })
    const started = performance.now()
    const result = await client.complete(request)
    const wall = performance.now() - started
    expect(result.retries).toBe(2)
    expect(result.reply.content).toBe('fine')
    expect(server.requests).toHaveLength(3)
    expect(wall).toBeGreaterThan(150 + 300) // two backoffs happened...
    expect(result.latencyMs).toBeGreaterThanOrEqual(29) // ...but only the last exchange is timed
    expect(result.latencyMs).toBeLessThan(200)
  })
  it('honours Retry-After on 429', async () => {
    const server = await startFaultServer([{ status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after-ms': '120' } }])
    closers.push(server.close)
    const result = await createClient(spec, { baseURL: server.url, backoffMs: 5000 }).complete(request)
    expect(result.retries).toBe(1)
    const [first, second] = server.requests
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(110)
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeLessThan(2000)
  })
  it('does not retry other 4xx, and classifies the error', async () => {
    const server = await startFaultServer([{ status: 400, body: { error: { message: 'maximum context length is 8192 tokens', code: 'context_length_exceeded' } } }])
    closers.push(server.close)
    const error = await createClient(spec, { baseURL: server.url }).complete(request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelCallError)
    expect((error as ModelCallError).recorded).toMatchObject({ kind: 'context_length', status: 400, infrastructure: false })
    expect(server.requests).toHaveLength(1)
  })
  it('gives up after its retries with the last error, marked as infrastructure', async () => {
    const server = await startFaultServer([{ status: 502 }, { status: 502 }, { status: 502 }])
    closers.push(server.close)
    const error = await createClient(spec, { baseURL: server.url, retries: 2, backoffMs: 1 }).complete(request).catch((e: unknown) => e) as ModelCallError
    expect(error.recorded).toMatchObject({ kind: 'server', status: 502, infrastructure: true })
    expect(error.retries).toBe(2)
  })
  it('names the unreachable URL\'s failure as a network error', async () => {
    const server = await startFaultServer([])
    const url = server.url
    await server.close()
    const error = await createClient(spec, { baseURL: url, retries: 1, backoffMs: 1 }).complete(request).catch((e: unknown) => e) as ModelCallError
    expect(error.recorded.kind).toBe('network')
    expect(error.recorded.message).toMatch(/ECONNREFUSED|Connection error/)
  })
})

describe('the reasoning adapter', () => {
  it('promotes reasoning to content only when content is empty', async () => {
    const server = await startFaultServer([
      { reply: okReply('', { reasoning_content: 'the answer is 42' }) },
      { reply: okReply('42', { reasoning: 'thinking...' }) },
    ])
    closers.push(server.close)
    const client = createClient(spec, { baseURL: server.url })
    const first = await client.complete(request)
    expect(first.reply).toMatchObject({ content: null, reasoning: 'the answer is 42' })
    const second = await client.complete(request)
    expect(second.reply).toMatchObject({ content: '42', reasoning: 'thinking...' })
  })
})

describe('request bodies', () => {
  it('sends temperature 0 by default, the preset\'s output-limit field and extra body fields', () => {
    expect(buildRequestBody({ ...spec, params: { maxOutputTokens: 100, extraBody: { chat_template_kwargs: { enable_thinking: false } } } }, request))
      .toMatchObject({ model: 'm', temperature: 0, max_tokens: 100, chat_template_kwargs: { enable_thinking: false } })
    const openai = buildRequestBody({ ...spec, server: 'openai', params: { maxOutputTokens: 100 } }, request)
    expect(openai).toMatchObject({ max_completion_tokens: 100 })
    expect(openai).not.toHaveProperty('temperature')
    expect(openai).not.toHaveProperty('max_tokens')
  })
  it('reads Retry-After as milliseconds, seconds or an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }), 0)).toBe(250)
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), 0)).toBe(2000)
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000)
    expect(retryAfterMs(new Headers(), 0)).toBeUndefined()
  })
})

describe('a reply too big to read', () => {
  const big = `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"${'a'.repeat(1_500_000)}"},"finish_reason":"stop"}]}`

  it('declared by its content-length: refused before its body is read, an infrastructure error, not retried', async () => {
    const server = await startFaultServer([{ raw: big, headers: { 'content-length': String(Buffer.byteLength(big)) } }])
    closers.push(server.close)
    const client = createClient(spec, { baseURL: server.url, backoffMs: 10, maxReplyBytes: 1024 * 1024 })
    const error = await client.complete(request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelCallError)
    expect((error as ModelCallError).recorded).toMatchObject({ kind: 'stream', infrastructure: true, message: expect.stringMatching(/^the reply declares \d+ bytes, more than the 1048576 read; not read$/) })
    expect(server.requests).toHaveLength(1)
  })

  it('with no declared length: read up to the limit, then the call fails the same way', async () => {
    const server = await startFaultServer([{ raw: big }])
    closers.push(server.close)
    const client = createClient(spec, { baseURL: server.url, backoffMs: 10, maxReplyBytes: 1024 * 1024 })
    const error = await client.complete(request).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelCallError)
    expect((error as ModelCallError).recorded).toMatchObject({ kind: 'stream', infrastructure: true, message: 'the reply grew past 1048576 bytes; the rest was not read' })
    expect(server.requests).toHaveLength(1)
  })

  it('an error page of any size keeps its status: its first megabyte is read, and a 503 is retried as a 503', async () => {
    const page = `<html><body><h1>503 Service Unavailable</h1>${'<p>busy</p>'.repeat(200_000)}</body></html>`
    const server = await startFaultServer([{ raw: page, status: 503, headers: { 'content-type': 'text/html' } }, { reply: okReply('after the page') }])
    closers.push(server.close)
    const client = createClient(spec, { baseURL: server.url, backoffMs: 10, maxReplyBytes: 1024 * 1024 })
    const result = await client.complete(request)
    expect(result).toMatchObject({ retries: 1, reply: { content: 'after the page' } })
    expect(server.requests).toHaveLength(2)
  })

  it('a reply under the limit reads as before', async () => {
    const server = await startFaultServer([{ raw: big }])
    closers.push(server.close)
    const client = createClient(spec, { baseURL: server.url, maxReplyBytes: 2 * 1024 * 1024 })
    expect((await client.complete(request)).reply.content).toHaveLength(1_500_000)
  })
})
