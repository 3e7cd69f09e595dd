// Request bodies per server preset: the output-limit field each server reads, thinking turned off its way,
// parallel_tool_calls where it defaults off, schema keywords stripped where rejected, and nothing non-standard sent to
// a server that rejects unknown fields.

import type { CompletionRequest } from '../src/models/client.ts'
import type { ModelSpec, ServerKind } from '../src/core/types.ts'
import { afterAll, describe, expect, it } from 'vitest'
import { catalog, classic, freshEnv } from '../fixtures/suites.ts'
import { offeredTools } from '../src/core/suite.ts'
import { runAgent } from '../src/runtime/agent.ts'
import { buildRequestBody, createClient } from '../src/models/client.ts'
import { resolveModels } from '../src/node/matrix.ts'
import { dropSchemaKeywords, presets, standardFields, strictFieldProblems } from '../src/models/presets.ts'
import { okReply, startFaultServer } from './support/fault-server.ts'

const spec = (server: ServerKind, params: ModelSpec['params'] = { maxOutputTokens: 1000 }, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  key: server, name: server, model: `${server}-model`, baseURL: 'http://127.0.0.1:1/v1', server, where: 'local', context: { label: '128K', tokens: 131_072 }, params, ...extra,
})
const request: CompletionRequest = {
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string', description: 'City', default: 'Paris' } }, required: ['city'], additionalProperties: false } }],
  responseFormat: { name: 'answer', schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { temp: { type: 'number' } }, required: ['temp'], additionalProperties: false } },
}
const kinds = Object.keys(presets) as ServerKind[]

describe('buildRequestBody per preset', () => {
  it('covers every server kind the issue names', () => {
    expect(kinds).toEqual(expect.arrayContaining(['llama.cpp', 'ollama', 'mlx', 'vllm', 'lmstudio', 'openai', 'anthropic', 'gemini', 'xai', 'openrouter', 'fireworks', 'deepseek']))
  })

  it('the output limit goes in the field each server reads: max_completion_tokens for OpenAI, max_tokens for the rest', () => {
    for (const kind of kinds) {
      const body = buildRequestBody(spec(kind), request)
      const [used, unused] = kind === 'openai' ? ['max_completion_tokens', 'max_tokens'] : ['max_tokens', 'max_completion_tokens']
      expect(body[used], kind).toBe(1000)
      expect(body, kind).not.toHaveProperty(unused)
    }
  })

  it('mlx_lm gets a limit even when the entry sets none (its default of 512 drops cut-off tool calls); others send none', () => {
    expect(buildRequestBody(spec('mlx', {}), request).max_tokens).toBe(4096)
    expect(buildRequestBody(spec('vllm', {}), request)).not.toHaveProperty('max_tokens')
  })

  it('temperature 0 by default, except OpenAI (reasoning models reject non-default values); null never sends it', () => {
    expect(buildRequestBody(spec('llama.cpp'), request).temperature).toBe(0)
    expect(buildRequestBody(spec('openai'), request)).not.toHaveProperty('temperature')
    expect(buildRequestBody(spec('vllm', { temperature: null }), request)).not.toHaveProperty('temperature')
  })

  it('thinking: false turns thinking off the way each server needs', () => {
    const off = (kind: ServerKind): Record<string, unknown> => buildRequestBody(spec(kind, { thinking: false }), request)
    for (const kind of ['llama.cpp', 'mlx', 'vllm'] as const) {
      expect(off(kind).chat_template_kwargs).toEqual({ enable_thinking: false })
    }
    for (const kind of ['ollama', 'openai', 'gemini', 'fireworks'] as const) {
      expect(off(kind).reasoning_effort).toBe('none')
    }
    expect(off('openrouter').reasoning).toEqual({ enabled: false })
    expect(off('deepseek').thinking).toEqual({ type: 'disabled' })
    // Ollama answers 400 to thinking switches on models without thinking: nothing unless asked.
    expect(buildRequestBody(spec('ollama'), request)).not.toHaveProperty('reasoning_effort')
  })

  it('llama.cpp gets parallel_tool_calls: true (its default is false); OpenRouter routes only to providers honouring every parameter', () => {
    expect(buildRequestBody(spec('llama.cpp'), request).parallel_tool_calls).toBe(true)
    expect(buildRequestBody(spec('openrouter'), request).provider).toEqual({ require_parameters: true })
    expect(buildRequestBody(spec('ollama'), request)).not.toHaveProperty('parallel_tool_calls')
  })

  it('response_format as each server honours it: json_schema, json_object only (DeepSeek), or not at all (mlx_lm, Anthropic)', () => {
    expect(buildRequestBody(spec('vllm'), request).response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'answer' } })
    expect(buildRequestBody(spec('deepseek'), request).response_format).toEqual({ type: 'json_object' })
    expect(buildRequestBody(spec('mlx'), request)).not.toHaveProperty('response_format')
    expect(buildRequestBody(spec('anthropic'), request)).not.toHaveProperty('response_format')
  })

  it('schema keywords Gemini and xAI reject are stripped from tools and response schemas; others get the schema as written', () => {
    const gemini = buildRequestBody(spec('gemini'), request) as { tools: { function: { parameters: Record<string, unknown> } }[], response_format: { json_schema: { schema: Record<string, unknown> } } }
    expect(gemini.tools[0]?.function.parameters).toEqual({ type: 'object', properties: { city: { type: 'string', description: 'City' } }, required: ['city'] })
    expect(gemini.response_format.json_schema.schema).toEqual({ type: 'object', properties: { temp: { type: 'number' } }, required: ['temp'] })
    const xai = buildRequestBody(spec('xai'), request) as typeof gemini
    expect(xai.tools[0]?.function.parameters).not.toHaveProperty('additionalProperties')
    const vllm = buildRequestBody(spec('vllm'), request) as typeof gemini
    expect(vllm.tools[0]?.function.parameters).toEqual(request.tools[0]?.parameters)
  })

  it('a property named like a keyword survives; description: null never goes out', () => {
    const schema = { type: 'object', properties: { default: { type: 'string', description: null }, const: { type: 'number' } } }
    expect(dropSchemaKeywords(schema, ['default', 'const'])).toEqual({ type: 'object', properties: { default: { type: 'string' }, const: { type: 'number' } } })
  })

  it('Gemini (rejects unknown fields with 400): only standard fields go out, whatever a preset or extraBody adds', () => {
    const body = buildRequestBody(spec('gemini', { maxOutputTokens: 100, thinking: false, extraBody: { extra_body: { google: { thinking_config: { thinking_budget: 0 } } }, chat_template_kwargs: { enable_thinking: false } } }, { stream: true }), request)
    for (const field of Object.keys(body)) {
      expect(standardFields.has(field), field).toBe(true)
    }
    expect(body).toMatchObject({ stream: true, stream_options: { include_usage: true }, reasoning_effort: 'none', extra_body: { google: { thinking_config: { thinking_budget: 0 } } } })
    expect(body).not.toHaveProperty('chat_template_kwargs')
  })

  it('the matrix refuses a Gemini entry whose extraBody would be rejected, naming the field', () => {
    expect(strictFieldProblems('g', { server: 'gemini', params: { extraBody: { reasoning: { effort: 'none' } } } })).toEqual([
      'g: params.extraBody.reasoning is not a Chat Completions field, and gemini rejects unknown fields with HTTP 400 (put provider settings under extra_body)',
    ])
    expect(strictFieldProblems('v', { server: 'vllm', params: { extraBody: { anything: 1 } } })).toEqual([])
    const entry = { name: 'G', model: 'gemini-x', baseURL: 'https://example.invalid/v1', server: 'gemini' as const, where: 'cloud' as const, context: { label: '1M', tokens: 1_000_000 }, params: { extraBody: { safety_settings: [] } } }
    expect(() => resolveModels({ g: entry }, {})).toThrow(/g: params\.extraBody\.safety_settings is not a Chat Completions field/)
  })

  it('DeepSeek echoes reasoning back in tool-call turns; no other preset does', () => {
    expect(kinds.filter(kind => presets[kind].echoReasoning)).toEqual(['deepseek'])
  })

  it('every preset says what the user must start or set', () => {
    expect(presets['llama.cpp'].start).toContain('--jinja')
    expect(presets.vllm.start).toContain('--enable-auto-tool-choice')
    expect(presets.ollama.start).toContain('OLLAMA_CONTEXT_LENGTH')
    for (const kind of kinds) {
      expect(presets[kind].start.length, kind).toBeGreaterThan(10)
    }
  })
})

describe('replaying history the way each server needs', () => {
  const servers: { close: () => Promise<void> }[] = []
  afterAll(async () => {
    await Promise.all(servers.map(server => server.close()))
  })
  const task = classic.categories[0]?.tasks.find(t => t.id === 'weather-paris')
  const thinkingCall = { id: 'd1', object: 'chat.completion', created: 0, model: 'deepseek-chat', choices: [{ index: 0, message: { role: 'assistant', content: '', reasoning_content: 'The user wants Paris weather.', tool_calls: [{ index: 0, id: 'call_00_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] }, finish_reason: 'tool_calls' }] }

  async function replayed(server: ServerKind): Promise<Record<string, unknown> | undefined> {
    const fault = await startFaultServer([{ reply: thinkingCall }, { reply: okReply('Cloudy.') }])
    servers.push(fault)
    const entry = spec(server, {}, { baseURL: fault.url })
    if (!task) {
      throw new Error('classic has no weather-paris task')
    }
    await runAgent(task, { spec: entry, client: createClient(entry, { baseURL: fault.url }), tools: offeredTools(task, catalog), env: freshEnv(task.env) })
    const messages = fault.requests[1]?.body.messages as Record<string, unknown>[] | undefined
    return messages?.find(message => message.role === 'assistant')
  }

  it('DeepSeek: the assistant turn with tool calls goes back with its reasoning_content (else HTTP 400)', async () => {
    expect(await replayed('deepseek')).toMatchObject({ reasoning_content: 'The user wants Paris weather.', tool_calls: [{ id: 'call_00_abc', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] })
  })

  it('other servers: reasoning is not echoed, and content "" goes back as null', async () => {
    const message = await replayed('vllm')
    expect(message).not.toHaveProperty('reasoning_content')
    expect(message?.content).toBeNull()
  })
})
