// Reading every server's replies: non-streaming bodies and streamed chunks in the shapes research/server-quirks.md
// recorded for each server kind, the failure shapes (content null/""/absent, ids missing or "", "stop" with tool
// calls, arguments ""/truncated/double-encoded), reasoning in each field, and tool calls written as text.

import type { ModelSpec, Task } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { catalog, classic, freshEnv } from '../fixtures/suites.ts'
import { offeredTools } from '../src/core/suite.ts'
import { runAgent } from '../src/runtime/agent.ts'
import { createClient } from '../src/models/client.ts'
import { accumulateStream, extractTextToolCalls, normalizeCompletion, parseArguments, replayArguments, splitThinking, StreamError, uniqueCallIds } from '../src/models/normalize.ts'
import { useReferenceServer } from './support/reference-server.ts'

/** A non-streaming body around one message, as most servers send it. */
const completion = (message: Record<string, unknown>, finish: string | null = 'tool_calls', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'chatcmpl-1', object: 'chat.completion', created: 1769721490, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  ...extra,
})
const chunk = (delta: Record<string, unknown>, finish?: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm',
  choices: [{ index: 0, delta, ...(finish === undefined ? {} : { finish_reason: finish }) }],
  ...extra,
})

describe('normalizeCompletion: a tool-call turn from every server kind', () => {
  it('openai: content null, call_ id, arguments a JSON string, refusal and annotations beside', () => {
    const reply = normalizeCompletion({
      choices: [{ finish_reason: 'tool_calls', index: 0, message: { annotations: [], content: null, refusal: null, role: 'assistant', tool_calls: [{ function: { arguments: '{"city":"Paris"}', name: 'get_weather' }, id: 'call_ZRDY1xLOEab4YUsDuuJMA1tF', type: 'function' }] } }],
      created: 1769721490, id: 'chatcmpl-D3Tg', model: 'gpt-5-mini-2025-08-07', object: 'chat.completion', service_tier: 'default', system_fingerprint: null,
      usage: { prompt_tokens: 150, completion_tokens: 23, total_tokens: 173, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
    })
    expect(reply).toEqual({
      content: null,
      reasoning: null,
      toolCalls: [{ id: 'call_ZRDY1xLOEab4YUsDuuJMA1tF', name: 'get_weather', arguments: { city: 'Paris' }, rawArguments: '{"city":"Paris"}', source: 'native' }],
      textToolCalls: [],
      finishReason: 'tool_calls',
      usage: { inputTokens: 150, outputTokens: 23 },
    })
  })

  it('openai: parallel calls keep their order; "{}" for a no-argument tool', () => {
    const reply = normalizeCompletion(completion({ content: null, tool_calls: [
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ] }))
    expect(reply.toolCalls.map(call => [call.id, call.name, call.arguments])).toEqual([['call_a', 'get_weather', { city: 'Paris' }], ['call_b', 'get_time', {}]])
  })

  it('anthropic: text next to a toolu_ call is kept as content', () => {
    const reply = normalizeCompletion(completion({ content: 'Let me read that file.', tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'read_file', arguments: '{"path":"README.md"}' } }] }))
    expect(reply.content).toBe('Let me read that file.')
    expect(reply.toolCalls[0]).toMatchObject({ id: 'toolu_01A09q90qw90lq917835lq9', name: 'read_file', arguments: { path: 'README.md' } })
    expect(reply.textToolCalls).toEqual([])
  })

  it('gemini: no content key, id "", thought signature kept for replay, thinking counted from total_tokens', () => {
    const reply = normalizeCompletion({
      choices: [{ finish_reason: 'tool_calls', index: 0, message: {
        role: 'assistant',
        tool_calls: [{ extra_content: { google: { thought_signature: 'CsYBAdHtim9' } }, function: { arguments: '{"city":"London"}', name: 'get_weather' }, id: '', type: 'function' }],
        extra_content: { google: { thought_signature: 'CsYBAdHtim9' } },
      } }],
      created: 1748000000, id: 'kX8vaPqbG', model: 'gemini-2.5-pro-preview-05-06', object: 'chat.completion',
      usage: { completion_tokens: 15, prompt_tokens: 32, total_tokens: 109 },
    })
    expect(reply.content).toBeNull()
    expect(reply.toolCalls).toHaveLength(1)
    expect(reply.toolCalls[0]?.id).toMatch(/^[a-zA-Z0-9]{9}$/)
    expect(reply.toolCalls[0]?.extra).toEqual({ google: { thought_signature: 'CsYBAdHtim9' } })
    expect(reply.usage).toEqual({ inputTokens: 32, outputTokens: 77 })
  })

  it('gemini early 2025: finish_reason "stop" with tool calls, id null on the completion: the calls still count', () => {
    const reply = normalizeCompletion({ id: null, choices: [{ finish_reason: 'stop', index: 0, message: { role: 'assistant', tool_calls: [{ function: { arguments: '{"query":"weather"}', name: 'search' }, id: '', type: 'function' }] } }], created: 1736000000, model: 'gemini-1.5-flash', object: 'chat.completion', usage: { completion_tokens: 8, prompt_tokens: 40, total_tokens: 48 } })
    expect(reply.finishReason).toBe('stop')
    expect(reply.toolCalls.map(call => call.name)).toEqual(['search'])
  })

  it('xai: content "", reasoning_content, completion_tokens without reasoning (total = prompt + completion + reasoning), cached prompt tokens', () => {
    const reply = normalizeCompletion({
      id: 'b8a3', object: 'chat.completion', created: 1743000000, model: 'grok-3-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: '', reasoning_content: 'First, the user is asking for the weather in San Francisco.', tool_calls: [{ id: 'call_93562515', function: { name: 'weather', arguments: '{"location":"San Francisco"}' }, type: 'function' }], refusal: null }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 291, completion_tokens: 26, total_tokens: 506, prompt_tokens_details: { text_tokens: 291, audio_tokens: 0, image_tokens: 0, cached_tokens: 244 }, completion_tokens_details: { reasoning_tokens: 189, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 }, num_sources_used: 0 },
      system_fingerprint: 'fp_d133ae3397',
    })
    expect(reply.content).toBeNull()
    expect(reply.reasoning).toBe('First, the user is asking for the weather in San Francisco.')
    expect(reply.toolCalls[0]).toMatchObject({ id: 'call_93562515', arguments: { location: 'San Francisco' } })
    expect(reply.usage).toEqual({ inputTokens: 291, outputTokens: 215, cachedInputTokens: 244 })
  })

  it('openrouter: upstream 9-char id, reasoning and reasoning_details with the same text read once', () => {
    const reply = normalizeCompletion({
      id: 'gen-1752000000-abc', provider: 'Mistral', model: 'mistralai/mistral-small-3.2-24b-instruct', object: 'chat.completion', created: 1752000000,
      choices: [{ logprobs: null, finish_reason: 'tool_calls', native_finish_reason: 'tool_calls', index: 0, message: {
        role: 'assistant', content: '', refusal: null,
        reasoning: 'The user wants the weather.',
        reasoning_details: [{ type: 'reasoning.text', text: 'The user wants the weather.', format: 'unknown', index: 0 }, { type: 'reasoning.encrypted', data: 'gAAAA', index: 1 }],
        tool_calls: [{ id: '3sniiMddS', index: 0, type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }],
      } }],
      usage: { prompt_tokens: 120, completion_tokens: 22, total_tokens: 142 },
    })
    expect(reply.reasoning).toBe('The user wants the weather.')
    expect(reply.content).toBeNull()
    expect(reply.toolCalls[0]).toMatchObject({ id: '3sniiMddS', arguments: { city: 'Paris' } })
  })

  it('fireworks: reasoning_content on a reasoning model, and <think> inside content on another', () => {
    const apart = normalizeCompletion(completion({ content: null, reasoning_content: 'Need the stock tool.', tool_calls: [{ id: 'call_kX1', type: 'function', function: { name: 'get_stock_price', arguments: '{"symbol":"NVDA"}' } }] }))
    expect(apart.reasoning).toBe('Need the stock tool.')
    const inline = normalizeCompletion(completion({ content: '<think>\nThe user wants NVDA.\n</think>\n\nNVIDIA trades at $181.20.' }, 'stop'))
    expect(inline).toMatchObject({ content: 'NVIDIA trades at $181.20.', reasoning: 'The user wants NVDA.', toolCalls: [], textToolCalls: [] })
  })

  it('deepseek: index even in non-stream, call_00_ ids, text plus two no-argument calls, prompt_cache_hit_tokens', () => {
    const reply = normalizeCompletion({
      id: 'd1', object: 'chat.completion', created: 1760000000, model: 'deepseek-chat',
      choices: [{ index: 0, message: { role: 'assistant', content: 'I will check both.', reasoning_content: 'The user asks for two things.', tool_calls: [
        { index: 0, id: 'call_00_lCIkdHRa7AKmCG3TlxXz1061', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        { index: 1, id: 'call_01_Jz8hP2Qk5sBwY1mXcT3v9a0', type: 'function', function: { name: 'get_date', arguments: '{}' } },
      ] }, logprobs: null, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 300, completion_tokens: 60, total_tokens: 360, prompt_cache_hit_tokens: 256, prompt_cache_miss_tokens: 44, completion_tokens_details: { reasoning_tokens: 40 } },
    })
    expect(reply.content).toBe('I will check both.')
    expect(reply.reasoning).toBe('The user asks for two things.')
    expect(reply.toolCalls.map(call => [call.id, call.arguments])).toEqual([['call_00_lCIkdHRa7AKmCG3TlxXz1061', {}], ['call_01_Jz8hP2Qk5sBwY1mXcT3v9a0', {}]])
    expect(reply.usage).toEqual({ inputTokens: 300, outputTokens: 60, cachedInputTokens: 256 })
  })

  it('llama.cpp: content "\\n\\n" is no content; 32-char ids; reasoning_content; timings count tokens when usage is absent', () => {
    const reply = normalizeCompletion({
      choices: [{ finish_reason: 'tool_calls', index: 0, message: { role: 'assistant', content: '\n\n', reasoning_content: 'I should run pwd.', tool_calls: [{ type: 'function', function: { name: 'run_command', arguments: '{"command":"pwd"}' }, id: 'Xq2o7nWbYk1vF3pLr8TzA0cDe5Gh9JiM' }] } }],
      created: 1757000000, model: 'qwen3coder30b', object: 'chat.completion', id: 'chatcmpl-llama',
      timings: { cache_n: 100, prompt_n: 20, prompt_ms: 50, prompt_per_token_ms: 2.5, prompt_per_second: 400, predicted_n: 12, predicted_ms: 120, predicted_per_token_ms: 10, predicted_per_second: 100 },
    })
    expect(reply.content).toBeNull()
    expect(reply.reasoning).toBe('I should run pwd.')
    expect(reply.toolCalls[0]).toMatchObject({ id: 'Xq2o7nWbYk1vF3pLr8TzA0cDe5Gh9JiM', name: 'run_command', arguments: { command: 'pwd' } })
    expect(reply.usage).toEqual({ inputTokens: 120, outputTokens: 12 })
  })

  it('llama.cpp docs example (outdated): finish_reason "tool" and calls without the function wrapper, empty id', () => {
    const reply = normalizeCompletion(completion({ content: null, tool_calls: [{ name: 'python', arguments: '{"code":"print(1)"}', id: '' }] }, 'tool'))
    expect(reply.finishReason).toBe('tool')
    expect(reply.toolCalls[0]).toMatchObject({ name: 'python', arguments: { code: 'print(1)' } })
    expect(reply.toolCalls[0]?.id).toMatch(/^[a-zA-Z0-9]{9}$/)
  })

  it('ollama: content "", index present, call_ id of 8 alphanumerics, reasoning in `reasoning`', () => {
    const reply = normalizeCompletion({
      id: 'chatcmpl-281', object: 'chat.completion', created: 1758000000, model: 'gpt-oss:20b', system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message: { role: 'assistant', content: '', reasoning: 'Need to call final_result.', tool_calls: [{ id: 'call_o2vnpxrw', index: 0, type: 'function', function: { name: 'final_result', arguments: '{"city":"Paris","country":"France"}' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 151, completion_tokens: 63, total_tokens: 214 },
    })
    expect(reply).toMatchObject({ content: null, reasoning: 'Need to call final_result.', finishReason: 'tool_calls' })
    expect(reply.toolCalls[0]).toMatchObject({ id: 'call_o2vnpxrw', arguments: { city: 'Paris', country: 'France' } })
  })

  it('ollama: a call that arrived as bare JSON in content is a text call, not a native one', () => {
    const reply = normalizeCompletion(completion({ content: '{"name": "get_weather", "arguments": {"city": "Tokyo"}}' }, 'stop'))
    expect(reply.toolCalls).toEqual([])
    expect(reply.textToolCalls).toEqual([{ id: 'text00000', name: 'get_weather', arguments: { city: 'Tokyo' }, rawArguments: '{"city":"Tokyo"}', source: 'text' }])
  })

  it('mlx_lm: content null, uuid4 id, old finish_reason "tool_call", reasoning in `reasoning`', () => {
    const reply = normalizeCompletion({
      id: 'chatcmpl-5f0c2a56-9d3e-4c1b-8f7a-2b6e4d9c1a07', object: 'chat.completion', created: 1760000000, model: 'mlx-community/Qwen3-4B-4bit', system_fingerprint: '0.30.4',
      choices: [{ index: 0, logprobs: null, finish_reason: 'tool_call', message: { role: 'assistant', content: null, reasoning: 'Call multiply.', tool_calls: [{ id: '2f5c8e0a-7b1d-4e3f-9a6c-0d8b2e4f6a1c', type: 'function', function: { name: 'multiply', arguments: '{"a": 12234585, "b": 48838483920}' } }] } }],
      usage: { prompt_tokens: 210, completion_tokens: 40, total_tokens: 250, prompt_tokens_details: { cached_tokens: 0 } },
    })
    expect(reply).toMatchObject({ content: null, reasoning: 'Call multiply.', finishReason: 'tool_call' })
    expect(reply.toolCalls[0]).toMatchObject({ id: '2f5c8e0a-7b1d-4e3f-9a6c-0d8b2e4f6a1c', arguments: { a: 12234585, b: 48838483920 } })
  })

  it('mlx_lm: a parser mismatch leaves an empty message: no content, no calls, no crash', () => {
    expect(normalizeCompletion(completion({}, 'stop'))).toMatchObject({ content: null, reasoning: null, toolCalls: [], textToolCalls: [] })
  })

  it('vllm: content null, chatcmpl-tool- ids, stop_reason and prompt_logprobs beside, two hermes calls', () => {
    const reply = normalizeCompletion({
      id: 'chatcmpl-9f1', object: 'chat.completion', created: 1750000000, model: 'Qwen/Qwen2.5-7B-Instruct', prompt_logprobs: null,
      choices: [{ index: 0, logprobs: null, finish_reason: 'tool_calls', stop_reason: null, message: { role: 'assistant', reasoning_content: null, content: null, tool_calls: [
        { id: 'chatcmpl-tool-4b1f0c2d9e8a4f7b9c3d2e1f0a9b8c7d', type: 'function', function: { name: 'get_current_temperature', arguments: '{"location": "San Francisco, CA, USA"}' } },
        { id: 'chatcmpl-tool-7d6c5b4a39284f1e8d7c6b5a49382716', type: 'function', function: { name: 'get_temperature_date', arguments: '{"location": "San Francisco, CA, USA", "date": "2024-10-01"}' } },
      ] } }],
      usage: { prompt_tokens: 448, total_tokens: 522, completion_tokens: 74 },
    })
    expect(reply.toolCalls.map(call => call.name)).toEqual(['get_current_temperature', 'get_temperature_date'])
    expect(reply.toolCalls[1]?.arguments).toEqual({ location: 'San Francisco, CA, USA', date: '2024-10-01' })
    expect(reply.reasoning).toBeNull()
  })

  it('vllm llama3_json miss: tool_calls [] and malformed raw JSON in content with "stop": a text call with arguments null', () => {
    const reply = normalizeCompletion(completion({ content: '{"name": "get_weather", "parameters": {"city": "San Francisco"', tool_calls: [] }, 'stop', { choices: [{ index: 0, message: { role: 'assistant', content: '{"name": "get_weather", "parameters": {"city": "San Francisco"', tool_calls: [] }, finish_reason: 'stop', stop_reason: 128008 }] }))
    expect(reply.toolCalls).toEqual([])
    expect(reply.textToolCalls).toHaveLength(1)
    expect(reply.textToolCalls[0]).toMatchObject({ name: 'get_weather', arguments: null, source: 'text' })
  })

  it('lmstudio: no content key, numeric-string id; a 2025 capture with content "" and stats {}', () => {
    const docs = normalizeCompletion({ id: 'chatcmpl-gzl', object: 'chat.completion', created: 1730000000, model: 'lmstudio-community/qwen2.5-7b-instruct', choices: [{ index: 0, logprobs: null, finish_reason: 'tool_calls', message: { role: 'assistant', tool_calls: [{ id: '365174485', type: 'function', function: { name: 'search_products', arguments: '{"query":"dell","category":"laptops","max_price":50}' } }] } }], usage: { prompt_tokens: 263, completion_tokens: 34, total_tokens: 297 }, system_fingerprint: 'lmstudio-community/qwen2.5-7b-instruct' })
    expect(docs.toolCalls[0]).toMatchObject({ id: '365174485', arguments: { query: 'dell', category: 'laptops', max_price: 50 } })
    const capture = normalizeCompletion({ ...completion({ content: '', tool_calls: [{ id: '737676769', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Tokyo"}' } }] }), stats: {} })
    expect(capture).toMatchObject({ content: null, toolCalls: [{ id: '737676769', arguments: { location: 'Tokyo' } }] })
  })
})

describe('normalizeCompletion: failure shapes', () => {
  it('content null, "", absent, whitespace are all no content; real text is trimmed and kept', () => {
    for (const message of [{ content: null }, { content: '' }, {}, { content: ' \n\t ' }]) {
      expect(normalizeCompletion(completion(message, 'stop')).content).toBeNull()
    }
    expect(normalizeCompletion(completion({ content: '  It is sunny.\n' }, 'stop')).content).toBe('It is sunny.')
    expect(normalizeCompletion(completion({ content: [{ type: 'text', text: 'Part one, ' }, { type: 'text', text: 'part two.' }] }, 'stop')).content).toBe('Part one, part two.')
  })

  it('ids missing, "", null or repeated within a reply are replaced by distinct 9-char alphanumeric ids', () => {
    const reply = normalizeCompletion(completion({ content: null, tool_calls: [
      { type: 'function', function: { name: 'a', arguments: '{}' } },
      { id: '', type: 'function', function: { name: 'b', arguments: '{}' } },
      { id: null, type: 'function', function: { name: 'c', arguments: '{}' } },
      { id: 'same', type: 'function', function: { name: 'd', arguments: '{}' } },
      { id: 'same', type: 'function', function: { name: 'e', arguments: '{}' } },
    ] }))
    const ids = reply.toolCalls.map(call => call.id)
    expect(new Set(ids).size).toBe(5)
    expect(ids[3]).toBe('same')
    for (const id of [ids[0], ids[1], ids[2], ids[4]]) {
      expect(id).toMatch(/^[a-zA-Z0-9]{9}$/)
    }
  })

  it('arguments: "" and absent read as {}, truncated and non-object as null, double-encoded and object parsed', () => {
    expect(parseArguments('')).toEqual({ arguments: {}, rawArguments: '' })
    expect(parseArguments(undefined)).toEqual({ arguments: {}, rawArguments: '' })
    expect(parseArguments('{"city": "Par')).toEqual({ arguments: null, rawArguments: '{"city": "Par' })
    expect(parseArguments('[1,2]').arguments).toBeNull()
    expect(parseArguments('"{\\"city\\":\\"Paris\\"}"')).toEqual({ arguments: { city: 'Paris' }, rawArguments: '"{\\"city\\":\\"Paris\\"}"' })
    expect(parseArguments({ city: 'Paris' })).toEqual({ arguments: { city: 'Paris' }, rawArguments: '{"city":"Paris"}' })
  })

  it('replays arguments safely: verbatim when a JSON object, re-serialised when double-encoded, {} when unparseable', () => {
    expect(replayArguments({ arguments: { city: 'Paris' }, rawArguments: '{"city": "Paris"}' })).toBe('{"city": "Paris"}')
    expect(replayArguments({ arguments: { city: 'Paris' }, rawArguments: '"{\\"city\\":\\"Paris\\"}"' })).toBe('{"city":"Paris"}')
    expect(replayArguments({ arguments: {}, rawArguments: '' })).toBe('{}')
    expect(replayArguments({ arguments: null, rawArguments: '{"city": "Par' })).toBe('{}')
  })

  it('ids stay unique across a conversation: a later turn repeating an id, or sending none, gets a fresh one', () => {
    const used = new Set<string>()
    const first = uniqueCallIds(normalizeCompletion(completion({ tool_calls: [{ id: '0', function: { name: 'a', arguments: '{}' } }] })).toolCalls, used)
    const second = uniqueCallIds(normalizeCompletion(completion({ tool_calls: [{ id: '0', function: { name: 'b', arguments: '{}' } }, { id: '', function: { name: 'c', arguments: '{}' } }] })).toolCalls, used)
    const ids = [...first, ...second].map(call => call.id)
    expect(ids[0]).toBe('0')
    expect(new Set(ids).size).toBe(3)
  })

  it('never throws on bodies that are not completions', () => {
    for (const body of [null, undefined, 'text', 42, [], {}, { choices: null }, { choices: [null] }, { choices: [{ message: 'x' }] }]) {
      expect(normalizeCompletion(body)).toMatchObject({ content: null, toolCalls: [], finishReason: null, usage: { inputTokens: 0, outputTokens: 0 } })
    }
  })
})

describe('reasoning wherever a server puts it', () => {
  it('reads reasoning_content, reasoning, reasoning_details (text or summary) and <think> blocks', () => {
    expect(normalizeCompletion(completion({ content: 'A', reasoning_content: 'rc' }, 'stop')).reasoning).toBe('rc')
    expect(normalizeCompletion(completion({ content: 'A', reasoning: 'r' }, 'stop')).reasoning).toBe('r')
    expect(normalizeCompletion(completion({ content: 'A', reasoning_details: [{ type: 'reasoning.summary', summary: 'sum' }] }, 'stop')).reasoning).toBe('sum')
    expect(normalizeCompletion(completion({ content: '<think>t</think>A' }, 'stop'))).toMatchObject({ content: 'A', reasoning: 't' })
  })

  it('splits an unclosed <think>, a lone </think> (template opened it), <thought>, and Harmony channels', () => {
    expect(splitThinking('Answer<think>cut off')).toEqual({ text: 'Answer', thinking: 'cut off' })
    expect(splitThinking('reasoning here</think>\n\nAnswer')).toEqual({ text: '\n\nAnswer', thinking: 'reasoning here' })
    expect(splitThinking('<thought>hidden</thought>Answer')).toEqual({ text: 'Answer', thinking: 'hidden' })
    const harmony = '<|channel|>analysis<|message|>User wants weather. Use tool.<|end|><|start|>assistant<|channel|>final<|message|>It is 18°C in Paris.<|return|>'
    expect(splitThinking(harmony)).toEqual({ text: 'It is 18°C in Paris.', thinking: 'User wants weather. Use tool.' })
  })

  it('a reply that only thinks has reasoning and no content (the agent promotes it when the entry says so)', () => {
    expect(normalizeCompletion(completion({ content: '<think>The answer is 42.</think>' }, 'stop'))).toMatchObject({ content: null, reasoning: 'The answer is 42.' })
  })
})

describe('accumulateStream: streamed tool calls from every server kind', () => {
  it('openai: role chunk, text, call with arguments "", fragments, finish, then a usage chunk with choices []', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant', content: '', refusal: null }, null, { usage: null, obfuscation: 'ab' }),
      chunk({ content: 'Checking.' }, null, { usage: null }),
      chunk({ tool_calls: [{ index: 0, id: 'call_Ac1', type: 'function', function: { name: 'weather', arguments: '' } }] }, null, { usage: null }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"loc' } }] }, null, { usage: null }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'ation":"Rome"}' } }] }, null, { usage: null }),
      chunk({}, 'tool_calls', { usage: null }),
      { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 80, completion_tokens: 17, total_tokens: 97 } },
    ])
    expect(reply).toMatchObject({ content: 'Checking.', finishReason: 'tool_calls', usage: { inputTokens: 80, outputTokens: 17 } })
    expect(reply.toolCalls).toEqual([{ id: 'call_Ac1', name: 'weather', arguments: { location: 'Rome' }, rawArguments: '{"location":"Rome"}', source: 'native' }])
  })

  it('anthropic: the call\'s index is its content block (1), an empty fragment first', () => {
    const reply = accumulateStream([
      { id: 'msg_01', object: 'chat.completion.chunk', created: 0, model: 'claude-sonnet-4-6', choices: [{ index: 0, delta: { role: 'assistant' } }] },
      chunk({ content: 'I will read it.' }),
      chunk({ tool_calls: [{ index: 1, id: 'toolu_01Xy', type: 'function', function: { name: 'read_file', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: '{"path": "src/' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: 'index.ts"}' } }] }),
      chunk({}, 'tool_calls'),
    ])
    expect(reply.toolCalls).toEqual([{ id: 'toolu_01Xy', name: 'read_file', arguments: { path: 'src/index.ts' }, rawArguments: '{"path": "src/index.ts"}', source: 'native' }])
    expect(reply.content).toBe('I will read it.')
  })

  it('gemini: whole calls with no index, each a new call; finish "stop"; chunks without id and created', () => {
    const reply = accumulateStream([
      { object: 'chat.completion.chunk', model: 'gemini-3.8-flash', choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ id: 'call_297140', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' }, extra_content: { google: { thought_signature: 'EjQKMgG' } } }] } }] },
      { object: 'chat.completion.chunk', model: 'gemini-3.8-flash', choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ id: 'call_297141', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] } }] },
      { object: 'chat.completion.chunk', model: 'gemini-3.8-flash', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: 'stop' }], usage: { prompt_tokens: 60, completion_tokens: 20, total_tokens: 140 } },
    ])
    expect(reply.finishReason).toBe('stop')
    expect(reply.toolCalls.map(call => [call.id, call.arguments])).toEqual([['call_297140', { city: 'Paris' }], ['call_297141', { city: 'Rome' }]])
    expect(reply.toolCalls[0]?.extra).toEqual({ google: { thought_signature: 'EjQKMgG' } })
    expect(reply.usage.outputTokens).toBe(80)
  })

  it('xai: reasoning deltas, non-final chunks without finish_reason, the whole call in one delta', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant', reasoning_content: 'First, ' }),
      chunk({ reasoning_content: 'the weather tool.' }),
      chunk({ tool_calls: [{ id: 'call_19187541', function: { name: 'weather', arguments: '{"location":"San Francisco"}' }, index: 0, type: 'function' }] }),
      chunk({}, 'tool_calls'),
      { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'grok-3-mini', choices: [], usage: { prompt_tokens: 291, completion_tokens: 26, total_tokens: 506 } },
    ])
    expect(reply).toMatchObject({ reasoning: 'First, the weather tool.', usage: { inputTokens: 291, outputTokens: 215 } })
    expect(reply.toolCalls[0]).toMatchObject({ id: 'call_19187541', arguments: { location: 'San Francisco' } })
  })

  it('openrouter: reasoning and reasoning_details deltas with the same text are read once', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant', content: '', reasoning: 'Think', reasoning_details: [{ type: 'reasoning.text', text: 'Think' }] }, null),
      chunk({ content: '', reasoning: 'ing.', reasoning_details: [{ type: 'reasoning.text', text: 'ing.' }] }, null),
      chunk({ content: 'Done.' }, null),
      chunk({}, 'stop', { native_finish_reason: 'stop', usage: { prompt_tokens: 43, completion_tokens: 10, total_tokens: 53, cost: 0, completion_tokens_details: { reasoning_tokens: 11 } } }),
    ])
    expect(reply).toMatchObject({ content: 'Done.', reasoning: 'Thinking.', usage: { inputTokens: 43, outputTokens: 10 } })
  })

  it('deepseek: reasoning first, arguments "" then character-level fragments, usage on the finish chunk', () => {
    const args = '{"location": "Hangzhou"}'
    const reply = accumulateStream([
      chunk({ role: 'assistant', content: null, reasoning_content: '' }, null, { usage: null }),
      chunk({ reasoning_content: 'Weather lookup.' }, null, { usage: null }),
      chunk({ tool_calls: [{ index: 0, id: 'call_00_x8sF2', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null, { usage: null }),
      ...[...args].map(char => chunk({ tool_calls: [{ index: 0, function: { arguments: char } }] }, null, { usage: null })),
      chunk({}, 'tool_calls', { usage: { prompt_tokens: 200, completion_tokens: 30, total_tokens: 230 } }),
    ])
    expect(reply.toolCalls[0]).toMatchObject({ id: 'call_00_x8sF2', arguments: { location: 'Hangzhou' }, rawArguments: args })
    expect(reply).toMatchObject({ reasoning: 'Weather lookup.', usage: { inputTokens: 200, outputTokens: 30 } })
  })

  it('fireworks: fragmented like OpenAI, <think> streamed inside content', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant', content: '<think>' }, null),
      chunk({ content: 'look up NVDA' }, null),
      chunk({ content: '</think>' }, null),
      chunk({ tool_calls: [{ index: 0, id: 'call_fw1', type: 'function', function: { name: 'get_stock_price', arguments: '{"symbol":' } }] }, null),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"NVDA"}' } }] }, null),
      chunk({}, 'tool_calls'),
    ])
    expect(reply).toMatchObject({ content: null, reasoning: 'look up NVDA', toolCalls: [{ name: 'get_stock_price', arguments: { symbol: 'NVDA' } }] })
  })

  it('llama.cpp: content null first, fragments, timings on the final chunk', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant', content: null }, null),
      chunk({ tool_calls: [{ index: 0, id: 'F4nKkqk3BzAr0j4n3V6dM1ZSIwlzN8gK', type: 'function', function: { name: 'run_command', arguments: '' } }] }, null),
      ...['{"', 'command', '":', '"', 'pwd', '"}'].map(piece => chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null)),
      chunk({}, 'tool_calls', { timings: { cache_n: 0, prompt_n: 310, predicted_n: 22, predicted_per_second: 48.1 } }),
    ])
    expect(reply.toolCalls[0]).toMatchObject({ name: 'run_command', arguments: { command: 'pwd' } })
    expect(reply.usage).toEqual({ inputTokens: 310, outputTokens: 22 })
  })

  it('ollama: each call whole in its own chunk (index 0 then 1), then a separate finish chunk', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant', content: '', tool_calls: [{ id: 'call_a1b2c3d4', index: 0, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, null),
      chunk({ role: 'assistant', content: '', tool_calls: [{ id: 'call_e5f6g7h8', index: 1, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] }, null),
      chunk({}, 'tool_calls'),
    ])
    expect(reply.toolCalls.map(call => call.arguments)).toEqual([{ city: 'Paris' }, { city: 'Oslo' }])
  })

  it('mlx_lm: the whole call in one delta, with an index, uuid4 id', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant', content: '' }, null),
      chunk({ tool_calls: [{ index: 0, id: '9b2e6a10-3c4d-4e5f-8a9b-0c1d2e3f4a5b', type: 'function', function: { name: 'multiply', arguments: '{"a": 3, "b": 4}' } }] }, null),
      chunk({}, 'tool_calls'),
    ])
    expect(reply.toolCalls[0]).toMatchObject({ id: '9b2e6a10-3c4d-4e5f-8a9b-0c1d2e3f4a5b', arguments: { a: 3, b: 4 } })
  })

  it('vllm: the first tool delta has no arguments key; final chunk delta {content:""} with stop_reason', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant', content: '' }, null),
      chunk({ tool_calls: [{ id: 'chatcmpl-tool-1d2e3f', type: 'function', index: 0, function: { name: 'run_command' } }] }, null),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"command": ' } }] }, null),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"ls"}' } }] }, null),
      { ...chunk({ content: '' }, 'tool_calls'), choices: [{ index: 0, delta: { content: '' }, finish_reason: 'tool_calls', stop_reason: null }] },
    ])
    expect(reply.toolCalls).toEqual([{ id: 'chatcmpl-tool-1d2e3f', name: 'run_command', arguments: { command: 'ls' }, rawArguments: '{"command": "ls"}', source: 'native' }])
  })

  it('lmstudio: id: null and name "" on later deltas (openai-python print, LM Studio < 0.3.16) change nothing', () => {
    const reply = accumulateStream([
      chunk({ role: 'assistant' }, null),
      chunk({ tool_calls: [{ index: 0, id: '365174485', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null),
      chunk({ tool_calls: [{ index: 0, id: null, type: null, function: { name: '', arguments: '{"' } }] }, null),
      chunk({ tool_calls: [{ index: 0, id: null, function: { name: '', arguments: 'location":"Tokyo"}' } }] }, null),
      chunk({}, 'tool_calls'),
    ])
    expect(reply.toolCalls).toEqual([{ id: '365174485', name: 'get_weather', arguments: { location: 'Tokyo' }, rawArguments: '{"location":"Tokyo"}', source: 'native' }])
  })

  it('without index: a new id or a name starts a call, a repeated id continues its call, bare fragments extend the last', () => {
    const reply = accumulateStream([
      chunk({ tool_calls: [{ id: 'a', function: { name: 'first', arguments: '{"x":' } }] }, null),
      chunk({ tool_calls: [{ function: { arguments: '1}' } }] }, null),
      chunk({ tool_calls: [{ function: { name: 'second', arguments: '{}' } }] }, null),
      chunk({ tool_calls: [{ id: 'a', function: { arguments: '' } }] }, null),
      chunk({}, 'tool_calls'),
    ])
    expect(reply.toolCalls.map(call => [call.name, call.arguments])).toEqual([['first', { x: 1 }], ['second', {}]])
    expect(reply.toolCalls[1]?.id).toMatch(/^[a-zA-Z0-9]{9}$/)
  })

  it('an error chunk inside the stream (OpenRouter, llama.cpp) throws a StreamError with the error body', () => {
    const error = (() => {
      try {
        accumulateStream([chunk({ content: 'Hel' }, null), { id: 'gen-1', object: 'chat.completion.chunk', created: 0, model: 'm', provider: 'Google', error: { code: 400, message: 'Token limit reached' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }], usage: { prompt_tokens: 10, completion_tokens: 0, total_tokens: 10, cost: 0 } }])
      }
      catch (thrown) {
        return thrown
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(StreamError)
    expect(error).toMatchObject({ message: 'Token limit reached', body: { code: 400, message: 'Token limit reached' } })
  })

  it('a stream that ends without a finish reason, or with finish reason "error", is an error, not an empty answer', () => {
    expect(() => accumulateStream([chunk({ role: 'assistant', content: 'Hel' }, null)])).toThrow(/without a finish_reason/)
    expect(() => accumulateStream([])).toThrow(StreamError)
    expect(() => accumulateStream([chunk({}, 'error')])).toThrow(/finish_reason "error"/)
  })
})

describe('tool calls written as text', () => {
  it('hermes / qwen <tool_call> JSON, several blocks = parallel calls', () => {
    const calls = extractTextToolCalls('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n</tool_call>')
    expect(calls.map(call => [call.name, call.arguments, call.source])).toEqual([['get_weather', { city: 'Paris' }, 'text'], ['get_weather', { city: 'Rome' }, 'text']])
  })

  it('qwen3-coder XML, raw values read as JSON when they parse', () => {
    const calls = extractTextToolCalls('<tool_call>\n<function=convert_units>\n<parameter=value>\n26.2\n</parameter>\n<parameter=from_unit>\nmi\n</parameter>\n</function>\n</tool_call>')
    expect(calls[0]).toMatchObject({ name: 'convert_units', arguments: { value: 26.2, from_unit: 'mi' } })
  })

  it('mistral [TOOL_CALLS] in both generations', () => {
    expect(extractTextToolCalls('[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}]')[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Paris' } })
    expect(extractTextToolCalls('[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}[TOOL_CALLS]get_time[ARGS]{}').map(call => [call.name, call.arguments])).toEqual([['get_weather', { city: 'Paris' }], ['get_time', {}]])
  })

  it('llama 3.1 <|python_tag|> with `parameters`; llama 4 <|python_start|>', () => {
    expect(extractTextToolCalls('<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}<|eom_id|>')[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Paris' } })
    expect(extractTextToolCalls('<|python_start|>{"type": "function", "name": "get_stock_price", "parameters": {"symbol": "NVDA"}}<|python_end|>')[0]).toMatchObject({ name: 'get_stock_price', arguments: { symbol: 'NVDA' } })
  })

  it('bare JSON with `arguments` or `parameters`, OpenAI-style {type, function}, fenced, in prose', () => {
    expect(extractTextToolCalls('{"name": "a", "parameters": {"x": 1}}')[0]).toMatchObject({ name: 'a', arguments: { x: 1 } })
    expect(extractTextToolCalls('{"type": "function", "function": {"name": "b", "arguments": "{\\"y\\": 2}"}}')[0]).toMatchObject({ name: 'b', arguments: { y: 2 } })
    expect(extractTextToolCalls('I will call it:\n```json\n{"name": "c", "arguments": {}}\n```')[0]).toMatchObject({ name: 'c', arguments: {} })
  })

  it('minimax XML, kimi sections, harmony commentary, LM Studio [TOOL_REQUEST]', () => {
    expect(extractTextToolCalls('<minimax:tool_call>\n<invoke name="search_web">\n<parameter name="query">weather Paris</parameter>\n<parameter name="limit">3</parameter>\n</invoke>\n</minimax:tool_call>')[0]).toMatchObject({ name: 'search_web', arguments: { query: 'weather Paris', limit: 3 } })
    expect(extractTextToolCalls('<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{"city": "Paris"}<|tool_call_end|><|tool_calls_section_end|>')[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Paris' } })
    expect(extractTextToolCalls('<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Paris"}<|call|>')[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Paris' } })
    expect(extractTextToolCalls('[TOOL_REQUEST]{"name": "get_weather", "arguments": {"city": "Paris"}}[END_TOOL_REQUEST]')[0]).toMatchObject({ name: 'get_weather', arguments: { city: 'Paris' } })
  })

  it('is looked for after <think> is stripped, and only when there is no native call', () => {
    const thinking = normalizeCompletion(completion({ content: '<think>maybe {"name": "wrong", "arguments": {}}</think><tool_call>{"name": "right", "arguments": {}}</tool_call>' }, 'stop'))
    expect(thinking.textToolCalls.map(call => call.name)).toEqual(['right'])
    const native = normalizeCompletion(completion({ content: '{"name": "x", "arguments": {}}', tool_calls: [{ id: 'call_1', function: { name: 'y', arguments: '{}' } }] }))
    expect(native.textToolCalls).toEqual([])
  })

  it('prose, a plain JSON answer and stray braces are not calls', () => {
    expect(extractTextToolCalls('It is 18°C and cloudy in Paris.')).toEqual([])
    expect(extractTextToolCalls('{"city": "Paris", "temperature": 18}')).toEqual([])
    expect(extractTextToolCalls('Use {city} and } then {')).toEqual([])
  })
})

describe('text tool calls through the agent: a format failure by default, executed only when the entry opts in', () => {
  const server = useReferenceServer()
  const task = classic.categories[0]?.tasks[0] as Task
  const spec = (lenient: boolean): ModelSpec => ({ key: 'text', name: 'text', model: 'oracle,flaw=text-calls', baseURL: 'x', server: 'vllm', where: 'local', context: { label: '1M', tokens: 1_000_000 }, ...(lenient ? { lenientTextToolCalls: true } : {}) })
  const run = async (lenient: boolean) => runAgent(task, {
    spec: spec(lenient),
    client: createClient(spec(lenient), { baseURL: server.url }),
    tools: offeredTools(task, catalog),
    env: freshEnv(task.env),
  })

  it('by default: no tool runs, the step counts the text calls, and the markup is the final answer', async () => {
    const transcript = await run(false)
    expect(transcript.toolCalls).toEqual([])
    expect(transcript.steps[0]?.textToolCalls).toBeGreaterThan(0)
    expect(transcript.finalText).toContain('<tool_call>')
    expect(transcript.endReason).toBe('final')
  })

  it('with lenientTextToolCalls: the recovered calls run (source "text") and are still counted', async () => {
    const transcript = await run(true)
    const expected = task.solution.find(turn => 'calls' in turn)
    expect(transcript.toolCalls.length).toBeGreaterThan(0)
    expect(transcript.toolCalls[0]).toMatchObject({ source: 'text', name: expected && 'calls' in expected ? expected.calls[0]?.name : '' })
    expect(transcript.toolCalls[0]?.outcome?.ok).toBe(true)
    expect(transcript.steps[0]?.textToolCalls).toBe(transcript.toolCalls.filter(call => call.step === 0).length)
  })
})

describe('arguments at the parse boundary: deep, huge or oddly typed arguments are recorded as invalid, never thrown later', () => {
  const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`

  it('raw (unquoted) arrays, numbers and booleans are invalid with the reason, not read as {}', () => {
    expect(parseArguments([1, 2])).toEqual({ arguments: null, rawArguments: '[1,2]', argumentsError: 'arguments are an array, not a JSON object (nor a string holding one)' })
    expect(parseArguments(42)).toEqual({ arguments: null, rawArguments: '42', argumentsError: 'arguments are a number, not a JSON object (nor a string holding one)' })
    expect(parseArguments(true)).toMatchObject({ arguments: null, rawArguments: 'true' })
    expect(parseArguments('[1,2]')).toMatchObject({ arguments: null, argumentsError: 'arguments are an array, not a JSON object' })
    expect(parseArguments('"just text"')).toMatchObject({ arguments: null })
    expect(parseArguments(null)).toEqual({ arguments: {}, rawArguments: '' })
  })

  it('the same through a reply and a stream: the call keeps its name, with arguments null', () => {
    for (const raw of [['Paris'], 7, false]) {
      const reply = normalizeCompletion(completion({ tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: raw } }] }))
      expect(reply.toolCalls[0], JSON.stringify(raw)).toMatchObject({ name: 'get_weather', arguments: null, rawArguments: JSON.stringify(raw) })
      const streamed = accumulateStream([chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'get_weather', arguments: raw } }] }), chunk({}, 'tool_calls')])
      expect(streamed.toolCalls[0]?.arguments, JSON.stringify(raw)).toBeNull()
    }
  })

  it('64 levels parse; 65, and 10,000 as a string or an object, are invalid, and what passes can be serialised and cloned', () => {
    expect(parseArguments(nested(63)).arguments).not.toBeNull()
    expect(parseArguments(nested(65))).toMatchObject({ arguments: null, argumentsError: 'arguments are nested deeper than 64 levels' })
    expect(parseArguments(nested(10_000))).toMatchObject({ arguments: null, argumentsError: 'arguments are nested deeper than 64 levels' })
    expect(parseArguments(JSON.stringify(nested(10_000)))).toMatchObject({ arguments: null, argumentsError: 'arguments are nested deeper than 64 levels' })
    const deepObject = JSON.parse(nested(10_000)) as unknown
    expect(parseArguments(deepObject)).toEqual({ arguments: null, rawArguments: '', argumentsError: 'arguments are nested deeper than 64 levels' })
    const reply = normalizeCompletion(completion({ tool_calls: [{ id: 'call_1', function: { name: 'f', arguments: deepObject }, extra_content: deepObject }] }))
    expect(reply.toolCalls[0]).toMatchObject({ arguments: null, argumentsError: 'arguments are nested deeper than 64 levels' })
    expect(reply.toolCalls[0]?.extra).toBeUndefined()
    expect(() => structuredClone(reply)).not.toThrow()
    expect(() => JSON.stringify(reply)).not.toThrow()
  })

  it('strings inside arguments may hold brackets and quotes at any depth of text without counting', () => {
    expect(parseArguments(JSON.stringify({ code: '['.repeat(1000) + '\\"{'.repeat(100) }))).toMatchObject({ arguments: { code: expect.any(String) } })
  })

  it('more than 1,000,000 characters are invalid and not parsed', () => {
    const huge = JSON.stringify({ city: 'x'.repeat(1_000_001) })
    expect(parseArguments(huge)).toMatchObject({ arguments: null, argumentsError: `arguments are ${huge.length} characters, more than the 1000000 allowed` })
    expect(parseArguments({ city: 'x'.repeat(1_000_001) })).toMatchObject({ arguments: null })
  })

  it('the tool sees the reason: invalid_arguments, with what was wrong', async () => {
    const { runToolCall } = await import('../src/runtime/tool-runner.ts')
    const tool = catalog.get('get_weather')
    const parsed = parseArguments(nested(10_000))
    const outcome = await runToolCall(new Map(tool ? [[tool.name, tool]] : []), 'get_weather', parsed.arguments, {}, parsed.argumentsError)
    expect(outcome).toEqual({ ok: false, code: 'invalid_arguments', error: 'arguments are nested deeper than 64 levels' })
  })
})

describe('text-call extraction on hostile markup: linear, and only the first 256 KB are read', () => {
  it('megabytes of markup that never closes are read to the end (in a child process, so a regression cannot hang this worker)', async () => {
    const { spawn } = await import('node:child_process')
    const { root } = await import('./support/run-bench.ts')
    const child = spawn(process.execPath, ['src/run-ts.mjs', 'test/support/hostile-markup.ts'], { cwd: root, timeout: 120_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (part: Buffer) => { stdout += part.toString() })
    child.stderr.on('data', (part: Buffer) => { stderr += part.toString() })
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.on('close', (c, s) => resolve([c, s])))
    // Not a speed target (that is `npm run perf`): the old patterns did not finish one of these in minutes.
    expect(signal, 'killed after 120 s: the extraction did not finish').toBeNull()
    expect(code, stderr).toBe(0)
    const results = new Map(stdout.trim().split('\n').map(line => JSON.parse(line) as { name: string, chars: number, textToolCalls: number, firstCall?: { name: string, arguments: unknown, argumentsError?: string } }).map(result => [result.name, result]))
    expect(results.size).toBe(14)
    for (const result of results.values()) {
      expect(result.chars, result.name).toBeGreaterThan(50_000)
    }
    expect(results.get('a real call first, then megabytes of junk')?.firstCall).toEqual({ name: 'get_weather', arguments: { city: 'Paris' } })
    expect(results.get('bare JSON calls by the thousand')?.textToolCalls).toBe(100)
    expect(results.get('a call whose arguments nest 10,000 deep')?.firstCall).toEqual({ name: 'f', arguments: null, argumentsError: 'arguments are nested deeper than 64 levels' })
    expect(results.get('Harmony marks, and the only message past the first 256 KB (not read)')?.textToolCalls).toBe(0)
    expect(results.get('Qwen XML parameters that never close')?.firstCall).toEqual({ name: 'f', arguments: {} })
  }, 150_000)

  it('the linear scanners find what the patterns found: each format, unclosed at the end, and after a failed start', () => {
    expect(extractTextToolCalls('to=functions.bad\n to=functions.get_weather <|constrain|>json<|message|>{"city":"Paris"}').map(call => [call.name, call.arguments])).toEqual([['get_weather', { city: 'Paris' }]])
    expect(extractTextToolCalls('<|tool_call_begin|>not a name!<|tool_call_begin|>functions.f:1<|tool_call_argument_begin|>{"x":1}').map(call => [call.name, call.arguments])).toEqual([['f', { x: 1 }]])
    expect(extractTextToolCalls('<tool_call><function=a b><function=convert>\n<parameter=value>3</parameter>').map(call => [call.name, call.arguments])).toEqual([['convert', { value: 3 }]])
    expect(extractTextToolCalls('<minimax:tool_call><invoke name="x" oops><invoke name="y"><parameter name="p">1</parameter></invoke>').map(call => [call.name, call.arguments])).toEqual([['y', { p: 1 }]])
    expect(splitThinking('<think>a</think>b<think>c</think>d<think>open')).toEqual({ text: 'bd', thinking: 'a\n\nc\n\nopen' })
    const far = `${'x'.repeat(300 * 1024)}<tool_call>{"name": "late", "arguments": {}}</tool_call>`
    expect(extractTextToolCalls(far)).toEqual([])
  })
})
