// Reads any OpenAI-compatible server's chat-completion reply into one shape. Pure: no I/O, no clock.
// The rules come from research/server-quirks.md: never trust finish_reason to say whether tools were called,
// treat null/""/absent/whitespace content alike, parse arguments defensively, key stream deltas by index
// but survive its absence, and find reasoning wherever a server puts it.

import type { Json } from './types.ts'

/** A tool call read from a reply. */
export interface NormalizedToolCall {
  /** The server's id, or a synthesised one when it sent none (`call_<n>` is stable within a reply). */
  id: string
  name: string
  /** Parsed arguments; null when `rawArguments` is not a JSON object (truncated, malformed, double-encoded badly). */
  arguments: Record<string, Json> | null
  /** The arguments string exactly as sent ("" for servers that omit it on no-argument calls). */
  rawArguments: string
  /** `native` when the server returned it in `tool_calls`; `text` when recovered from the content. */
  source: 'native' | 'text'
}

/** One reply, whatever server sent it. */
export interface NormalizedCompletion {
  /** The content with `<think>` blocks removed; null when empty or whitespace only. */
  content: string | null
  /** Reasoning text from `reasoning_content`, `reasoning`, `reasoning_details` or `<think>` blocks; null if none. */
  reasoning: string | null
  /** Native calls only. Text-embedded calls are in `textToolCalls`. */
  toolCalls: NormalizedToolCall[]
  /** Calls found written in the content (Hermes tags, bare JSON, ...), never counted as native. */
  textToolCalls: NormalizedToolCall[]
  finishReason: string | null
  usage: { inputTokens: number, outputTokens: number }
}

type Loose = Record<string, unknown>

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value)
const str = (value: unknown): string => (typeof value === 'string' ? value : '')
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0)

/**
 * Parses tool-call arguments as servers send them: a JSON string (the norm), an object (Ollama's native shape),
 * `""` (no-argument tools on some servers, read as `{}`), or a JSON string that itself holds a JSON string.
 */
export function parseArguments(raw: unknown): { arguments: Record<string, Json> | null, rawArguments: string } {
  if (isObject(raw)) {
    return { arguments: raw as Record<string, Json>, rawArguments: JSON.stringify(raw) }
  }
  const text = str(raw)
  if (text.trim() === '') {
    return { arguments: {}, rawArguments: text }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
    if (typeof value === 'string') {
      value = JSON.parse(value)
    }
  }
  catch {
    return { arguments: null, rawArguments: text }
  }
  return { arguments: isObject(value) ? (value as Record<string, Json>) : null, rawArguments: text }
}

/** Removes `<think>...</think>` blocks (and an unclosed leading one) and Harmony analysis channels; returns both parts. */
export function splitThinking(content: string): { text: string, thinking: string } {
  const thoughts: string[] = []
  let text = content.replace(/<think>([\s\S]*?)<\/think>/g, (_, inner: string) => {
    thoughts.push(inner.trim())
    return ''
  })
  // A reply that starts thinking and never closes the tag (truncated, or a template that opens it for the model).
  const open = text.indexOf('<think>')
  if (open !== -1) {
    thoughts.push(text.slice(open + '<think>'.length).trim())
    text = text.slice(0, open)
  }
  // Some templates put the opening tag in the prompt, so the reply holds only the closing one.
  const close = text.indexOf('</think>')
  if (close !== -1) {
    thoughts.push(text.slice(0, close).trim())
    text = text.slice(close + '</think>'.length)
  }
  text = text.replace(/<\|channel\|>analysis<\|message\|>([\s\S]*?)<\|end\|>/g, (_, inner: string) => {
    thoughts.push(inner.trim())
    return ''
  })
  return { text, thinking: thoughts.filter(Boolean).join('\n\n') }
}

function reasoningOf(message: Loose): string {
  const parts = [str(message.reasoning_content), str(message.reasoning)]
  if (Array.isArray(message.reasoning_details)) {
    for (const detail of message.reasoning_details) {
      if (isObject(detail)) {
        parts.push(str(detail.text) || str(detail.summary))
      }
    }
  }
  // OpenRouter sends the same text in `reasoning` and `reasoning_details`: keep each distinct text once.
  return [...new Set(parts.filter(part => part.trim() !== ''))].join('\n')
}

function usageOf(body: Loose): NormalizedCompletion['usage'] {
  const usage = isObject(body.usage) ? body.usage : {}
  return { inputTokens: num(usage.prompt_tokens), outputTokens: num(usage.completion_tokens) }
}

/** Reads a non-streaming chat-completion body from any server. Never throws on a well-formed JSON object. */
export function normalizeCompletion(body: unknown): NormalizedCompletion {
  const root = isObject(body) ? body : {}
  const choices = Array.isArray(root.choices) ? root.choices : []
  const choice = isObject(choices[0]) ? choices[0] : {}
  const message = isObject(choice.message) ? choice.message : {}
  const rawCalls = Array.isArray(message.tool_calls) ? message.tool_calls : []
  const toolCalls: NormalizedToolCall[] = []
  for (const call of rawCalls) {
    if (!isObject(call)) {
      continue
    }
    const fn = isObject(call.function) ? call.function : {}
    toolCalls.push({
      id: str(call.id) || syntheticId(toolCalls.length),
      name: str(fn.name),
      ...parseArguments(fn.arguments),
      source: 'native',
    })
  }
  return finish(str(message.content), reasoningOf(message), toolCalls, choice.finish_reason, usageOf(root))
}

/** Ids for calls a server sent without one: 9 alphanumerics, the form every chat template accepts. */
export function syntheticId(index: number): string {
  return `call${String(index).padStart(5, '0')}`
}

function finish(rawContent: string, reasoning: string, toolCalls: NormalizedToolCall[], finishReason: unknown, usage: NormalizedCompletion['usage']): NormalizedCompletion {
  const { text, thinking } = splitThinking(rawContent)
  const allReasoning = [reasoning, thinking].filter(part => part.trim() !== '').join('\n')
  const content = text.trim() === '' ? null : text.trim()
  return {
    content,
    reasoning: allReasoning === '' ? null : allReasoning,
    toolCalls,
    textToolCalls: toolCalls.length === 0 && content !== null ? extractTextToolCalls(content) : [],
    finishReason: typeof finishReason === 'string' ? finishReason : null,
    usage,
  }
}

/** An error sent inside an otherwise successful stream (OpenRouter, llama.cpp mid-stream). */
export class StreamError extends Error {
  constructor(message: string, readonly body: unknown) {
    super(message)
    this.name = 'StreamError'
  }
}

/**
 * Assembles the parsed SSE chunks of one streamed reply into the non-streaming shape. Calls are keyed by `index`;
 * without one, a delta with a new id or a name starts a new call and anything else extends the last. A chunk with a
 * top-level `error` throws a StreamError; a stream that never sent a finish reason throws one too.
 */
export function accumulateStream(chunks: Iterable<unknown>): NormalizedCompletion {
  let content = ''
  let reasoning = ''
  let finishReason: string | null = null
  let usage = { inputTokens: 0, outputTokens: 0 }
  const slots = new Map<number, { id: string, name: string, args: string, argsObject?: Loose }>()
  let lastKey = -1
  let nextKey = 0
  for (const chunk of chunks) {
    if (!isObject(chunk)) {
      continue
    }
    if (chunk.error !== undefined && chunk.error !== null) {
      const error = chunk.error
      const message = isObject(error) ? str(error.message) : str(error)
      throw new StreamError(message || 'error chunk in stream', error)
    }
    if (isObject(chunk.usage)) {
      usage = usageOf(chunk)
    }
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isObject(choice)) {
        continue
      }
      const delta = isObject(choice.delta) ? choice.delta : {}
      content += str(delta.content)
      reasoning += reasoningOf(delta)
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        if (!isObject(call)) {
          continue
        }
        const fn = isObject(call.function) ? call.function : {}
        const startsNew = str(call.id) !== '' && ![...slots.values()].some(slot => slot.id === call.id)
        let key: number
        if (typeof call.index === 'number') {
          key = call.index
          nextKey = Math.max(nextKey, key + 1)
        }
        else if (startsNew || str(fn.name) !== '' || lastKey === -1) {
          key = nextKey++
        }
        else {
          key = lastKey
        }
        lastKey = key
        const slot = slots.get(key) ?? { id: '', name: '', args: '' }
        slots.set(key, slot)
        if (str(call.id) !== '' && slot.id === '') {
          slot.id = str(call.id)
        }
        if (str(fn.name) !== '' && slot.name === '') {
          slot.name = str(fn.name)
        }
        if (isObject(fn.arguments)) {
          slot.argsObject = fn.arguments
        }
        else {
          slot.args += str(fn.arguments)
        }
      }
      if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
        finishReason = choice.finish_reason
      }
    }
  }
  if (finishReason === null) {
    throw new StreamError('stream ended without a finish_reason (cut off, or an error the SSE parser dropped)', null)
  }
  const toolCalls = [...slots.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, slot], position): NormalizedToolCall => ({
      id: slot.id || syntheticId(position),
      name: slot.name,
      ...parseArguments(slot.argsObject ?? slot.args),
      source: 'native',
    }))
  return finish(content, reasoning, toolCalls, finishReason, usage)
}

// ---------------------------------------------------------------------------------------------------
// Tool calls written as text

function textCall(index: number, name: string, args: unknown): NormalizedToolCall {
  const parsed = isObject(args) ? parseArguments(args) : parseArguments(typeof args === 'string' ? args : JSON.stringify(args ?? {}))
  return { id: `text${String(index).padStart(5, '0')}`, name, ...parsed, source: 'text' }
}

/** `{"name":..,"arguments"|"parameters":..}` or `{"type":"function","function":{...}}`, as a call, or null. */
function callFromJson(value: unknown, index: number): NormalizedToolCall | null {
  if (!isObject(value)) {
    return null
  }
  const inner = isObject(value.function) ? value.function : value
  const name = str(inner.name)
  if (name === '' || !('arguments' in inner || 'parameters' in inner)) {
    return null
  }
  return textCall(index, name, inner.arguments ?? inner.parameters)
}

function jsonCalls(text: string, start: number): NormalizedToolCall[] {
  let value: unknown
  try {
    value = JSON.parse(text.trim())
  }
  catch {
    return []
  }
  const items = Array.isArray(value) ? value : [value]
  return items.map((item, i) => callFromJson(item, start + i)).filter((call): call is NormalizedToolCall => call !== null)
}

/** Qwen3-Coder and MiniMax XML carry raw text values: numbers and booleans are read as JSON when they parse. */
function xmlValue(raw: string): Json {
  const text = raw.trim()
  try {
    return JSON.parse(text) as Json
  }
  catch {
    return text
  }
}

/**
 * Finds tool calls a model wrote into its content instead of `tool_calls`, in the formats real servers leak:
 * Hermes/Qwen `<tool_call>` (JSON or Qwen3-Coder XML), Mistral `[TOOL_CALLS]`, Llama `<|python_tag|>`,
 * MiniMax `<minimax:tool_call>`, Harmony `to=functions.X`, LM Studio `[TOOL_REQUEST]`, and bare or fenced JSON.
 * Expects content with `<think>` blocks already removed.
 */
export function extractTextToolCalls(content: string): NormalizedToolCall[] {
  const calls: NormalizedToolCall[] = []
  for (const match of content.matchAll(/<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g)) {
    const body = match[1] ?? ''
    const xml = /<function=([^>\s]+)>([\s\S]*?)(?:<\/function>|$)/.exec(body)
    if (xml) {
      const args: Record<string, Json> = {}
      for (const param of (xml[2] ?? '').matchAll(/<parameter=([^>\s]+)>([\s\S]*?)<\/parameter>/g)) {
        args[param[1] ?? ''] = xmlValue(param[2] ?? '')
      }
      calls.push(textCall(calls.length, xml[1] ?? '', args))
    }
    else {
      calls.push(...jsonCalls(body, calls.length))
    }
  }
  for (const match of content.matchAll(/<minimax:tool_call>([\s\S]*?)(?:<\/minimax:tool_call>|$)/g)) {
    for (const invoke of (match[1] ?? '').matchAll(/<invoke name="([^"]+)">([\s\S]*?)<\/invoke>/g)) {
      const args: Record<string, Json> = {}
      for (const param of (invoke[2] ?? '').matchAll(/<parameter name="([^"]+)">([\s\S]*?)<\/parameter>/g)) {
        args[param[1] ?? ''] = xmlValue(param[2] ?? '')
      }
      calls.push(textCall(calls.length, invoke[1] ?? '', args))
    }
  }
  for (const match of content.matchAll(/to=functions\.([\w.-]+)[^\n<]*(?:<\|constrain\|>\w+)?<\|message\|>([\s\S]*?)(?:<\|call\|>|$)/g)) {
    calls.push(textCall(calls.length, match[1] ?? '', (match[2] ?? '').trim()))
  }
  for (const match of content.matchAll(/\[TOOL_REQUEST\]([\s\S]*?)\[END_TOOL_REQUEST\]/g)) {
    calls.push(...jsonCalls(match[1] ?? '', calls.length))
  }
  const mistral = /\[TOOL_CALLS\]\s*([\s\S]*)$/.exec(content)
  if (mistral) {
    const rest = mistral[1] ?? ''
    const named = /^([\w.-]+)\[ARGS\]([\s\S]*)$/.exec(rest.trim())
    if (named) {
      calls.push(textCall(calls.length, named[1] ?? '', (named[2] ?? '').trim()))
    }
    else {
      calls.push(...jsonCalls(rest, calls.length))
    }
  }
  const python = /<\|python_tag\|>([\s\S]*?)(?:<\|eom_id\|>|<\|eot_id\|>|$)/.exec(content)
    ?? /<\|python_start\|>([\s\S]*?)(?:<\|python_end\|>|$)/.exec(content)
  if (python) {
    for (const line of (python[1] ?? '').split(/;\s*|\n/)) {
      calls.push(...jsonCalls(line, calls.length))
    }
  }
  if (calls.length === 0) {
    // The lowest-confidence shapes: the whole content is a call as JSON, bare or in a code fence.
    const fenced = /^```(?:json)?\s*([\s\S]*?)```$/.exec(content.trim())
    calls.push(...jsonCalls(fenced ? (fenced[1] ?? '') : content, 0))
  }
  return calls
}
