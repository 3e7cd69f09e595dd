// Reads any OpenAI-compatible server's chat-completion reply into one shape. Pure: no I/O, no clock.
// The rules come from research/server-quirks.md: never trust finish_reason to say whether tools were called,
// treat null/""/absent/whitespace content alike, parse arguments defensively, key stream deltas by index
// but survive its absence, find reasoning wherever a server puts it, and recognise tool calls written as text.

import type { Json } from '../core/types.ts'

/** A tool call read from a reply. */
export interface NormalizedToolCall {
  /** The server's id, or a synthesised one when it sent none (or repeated one): 9 alphanumerics, stable within a reply. */
  id: string
  name: string
  /** Parsed arguments; null when `rawArguments` is not a JSON object (truncated, malformed, double-encoded badly). */
  arguments: Record<string, Json> | null
  /** The arguments string exactly as sent ("" for servers that omit it on no-argument calls). */
  rawArguments: string
  /** Why `arguments` is null when the reason is more than "not valid JSON": nested too deep, too long, not an object. */
  argumentsError?: string
  /** `native` when the server returned it in `tool_calls`; `text` when recovered from the content. */
  source: 'native' | 'text'
  /** The call's `extra_content` as sent (Gemini 3's thought signature), to be echoed back verbatim on replay. */
  extra?: Record<string, Json>
}

/** One reply, whatever server sent it. */
export interface NormalizedCompletion {
  /** The content with `<think>` blocks and Harmony channel markup removed; null when empty or whitespace only. */
  content: string | null
  /** Reasoning text from `reasoning_content`, `reasoning`, `reasoning_details` or `<think>` blocks; null if none. */
  reasoning: string | null
  /** Native calls only. Text-embedded calls are in `textToolCalls`. */
  toolCalls: NormalizedToolCall[]
  /** Calls found written in the content (Hermes tags, bare JSON, ...) when there is no native call; never counted as native. */
  textToolCalls: NormalizedToolCall[]
  /** As the server sent it ("stop" with tool calls happens: read `toolCalls`, not this, to know whether tools were called). */
  finishReason: string | null
  /** Output tokens include reasoning even where the server counts it apart (xAI) or only in the total (Gemini). */
  usage: { inputTokens: number, outputTokens: number, cachedInputTokens?: number }
}

type Loose = Record<string, unknown>

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value)
const str = (value: unknown): string => (typeof value === 'string' ? value : '')
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0)

/** Content as text: a string, or an array of parts (`[{type:"text",text}]`, Mistral-style), or nothing. */
function contentText(value: unknown): string {
  if (Array.isArray(value)) {
    return value.map(part => (isObject(part) ? str(part.text) : str(part))).join('')
  }
  return str(value)
}

/** Arguments nested deeper than this are invalid: no tool schema nests so far, and deeper values overflow the stack of
 * whatever walks them next (JSON.stringify, structuredClone, a rubric's checks). */
const maxArgumentDepth = 64

/** Arguments longer than this many characters of JSON are invalid (and are not parsed). */
const maxArgumentChars = 1_000_000

/** How deep the JSON text nests, counting brackets outside strings; stops counting past `limit`. Linear. */
function textDepth(text: string, limit: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (inString) {
      if (char === 92) { // backslash
        i++
      }
      else if (char === 34) { // quote
        inString = false
      }
    }
    else if (char === 34) {
      inString = true
    }
    else if (char === 123 || char === 91) { // { [
      if (++depth > deepest && (deepest = depth) > limit) {
        return deepest
      }
    }
    else if (char === 125 || char === 93) { // } ]
      depth--
    }
  }
  return deepest
}

/** How deep a value nests (a scalar is 0), walked without recursion; stops past `limit`. */
function valueDepth(value: unknown, limit = maxArgumentDepth): number {
  let deepest = 0
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number]
    if (typeof node !== 'object' || node === null) {
      continue
    }
    const here = depth + 1
    if (here > deepest && (deepest = here) > limit) {
      return deepest
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) {
        stack.push([child, here])
      }
    }
  }
  return deepest
}

const kindOf = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`)

type ParsedArguments = Pick<NormalizedToolCall, 'arguments' | 'rawArguments' | 'argumentsError'>

const invalid = (rawArguments: string, argumentsError: string): ParsedArguments => ({ arguments: null, rawArguments, argumentsError })

/**
 * Parses tool-call arguments as servers send them: a JSON string (the norm), an object (Ollama's native shape),
 * `""` or nothing (no-argument tools on some servers, read as `{}`), or a JSON string that itself holds a JSON string.
 * Anything else is recorded as invalid with the reason, never read as `{}` and never thrown: a raw (unquoted) array,
 * number or boolean, JSON that is not an object, arguments nested deeper than 64 levels or longer than 1,000,000
 * characters. This is the boundary: whatever passes it is a plain, shallow JSON object every rubric can walk.
 */
export function parseArguments(raw: unknown): ParsedArguments {
  if (raw === undefined || raw === null) {
    return { arguments: {}, rawArguments: '' }
  }
  if (typeof raw !== 'string') {
    if (valueDepth(raw) > maxArgumentDepth) {
      return invalid('', `arguments are nested deeper than ${maxArgumentDepth} levels`)
    }
    const rawArguments = JSON.stringify(raw)
    if (!isObject(raw)) {
      return invalid(rawArguments, `arguments are ${kindOf(raw)}, not a JSON object (nor a string holding one)`)
    }
    if (rawArguments.length > maxArgumentChars) {
      return invalid(rawArguments, `arguments are ${rawArguments.length} characters of JSON, more than the ${maxArgumentChars} allowed`)
    }
    return { arguments: raw as Record<string, Json>, rawArguments }
  }
  const text = raw
  if (text.trim() === '') {
    return { arguments: {}, rawArguments: text }
  }
  if (text.length > maxArgumentChars) {
    return invalid(text, `arguments are ${text.length} characters, more than the ${maxArgumentChars} allowed`)
  }
  let value: unknown
  try {
    if (textDepth(text, maxArgumentDepth) > maxArgumentDepth) {
      return invalid(text, `arguments are nested deeper than ${maxArgumentDepth} levels`)
    }
    value = JSON.parse(text)
    if (typeof value === 'string') {
      if (textDepth(value, maxArgumentDepth) > maxArgumentDepth) {
        return invalid(text, `arguments are nested deeper than ${maxArgumentDepth} levels`)
      }
      value = JSON.parse(value)
    }
  }
  catch {
    return { arguments: null, rawArguments: text }
  }
  return isObject(value) ? { arguments: value as Record<string, Json>, rawArguments: text } : invalid(text, `arguments are ${kindOf(value)}, not a JSON object`)
}

/**
 * Removes reasoning from content and returns both parts: `<think>...</think>` blocks (also an unclosed leading one, and
 * a lone closing tag when the template opened the block in the prompt), Gemini's `<thought>` blocks, and Harmony's
 * analysis channel; Harmony's final-channel markup around the answer is dropped. Commentary channels (Harmony tool
 * calls) are left for the text-call detector.
 */
export function splitThinking(content: string): { text: string, thinking: string } {
  const thoughts: string[] = []
  const keep = (_: string, inner: string): string => {
    thoughts.push(inner.trim())
    return ''
  }
  let text = cutBlocks(cutBlocks(content, '<think>', '</think>', thoughts), '<thought>', '</thought>', thoughts)
  const open = text.indexOf('<think>')
  if (open !== -1) {
    thoughts.push(text.slice(open + '<think>'.length).trim())
    text = text.slice(0, open)
  }
  const close = text.indexOf('</think>')
  if (close !== -1) {
    thoughts.push(text.slice(0, close).trim())
    text = text.slice(close + '</think>'.length)
  }
  text = text
    .replace(/(?:<\|start\|>assistant)?<\|channel\|>analysis<\|message\|>([\s\S]*?)(?:<\|end\|>|(?=<\|start\|>)|$)/g, keep)
    .replace(/(?:<\|start\|>assistant)?<\|channel\|>final<\|message\|>/g, '')
    .replace(/<\|(?:return|end)\|>\s*$/, '')
  return { text, thinking: thoughts.filter(Boolean).join('\n\n') }
}

/**
 * Removes every closed `open ... close` block from the text, keeping what each held: what `/open([\s\S]*?)close/g`
 * does, in linear time (that pattern rescans to the end from every unclosed `open`).
 */
function cutBlocks(text: string, open: string, close: string, inner: string[]): string {
  let out = ''
  let from = 0
  for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, from)) {
    const end = text.indexOf(close, at + open.length)
    if (end === -1) {
      break // no later block can close either
    }
    inner.push(text.slice(at + open.length, end).trim())
    out += text.slice(from, at)
    from = end + close.length
  }
  return from === 0 ? text : out + text.slice(from)
}

/** Reasoning wherever the server put it: `reasoning_content`, `reasoning`, `reasoning_details[].text|summary`. */
function reasoningOf(message: Loose, separator = '\n'): string {
  const parts = [str(message.reasoning_content), str(message.reasoning)]
  if (Array.isArray(message.reasoning_details)) {
    for (const detail of message.reasoning_details) {
      if (isObject(detail)) {
        parts.push(str(detail.text) || str(detail.summary))
      }
    }
  }
  // OpenRouter sends the same text in `reasoning` and `reasoning_details`: keep each distinct text once.
  return [...new Set(parts.filter(part => part !== ''))].join(separator)
}

/**
 * Token counts. When `total_tokens` is larger than prompt + completion, the difference is reasoning the server counted
 * apart (xAI) or only in the total (Gemini): it is output. Without `usage`, llama.cpp's `timings` still count tokens.
 */
function usageOf(body: Loose): NormalizedCompletion['usage'] | undefined {
  if (isObject(body.usage)) {
    const usage = body.usage
    const input = num(usage.prompt_tokens)
    const completion = num(usage.completion_tokens)
    const total = num(usage.total_tokens)
    // Prompt-cache hits: OpenAI's shape (xAI, vLLM, mlx_lm and others copy it) or DeepSeek's own field.
    const details = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {}
    const cached = Math.min(num(details.cached_tokens) || num(usage.prompt_cache_hit_tokens), input)
    return { inputTokens: input, outputTokens: total > input + completion ? total - input : completion, ...(cached > 0 ? { cachedInputTokens: cached } : {}) }
  }
  if (isObject(body.timings)) {
    return { inputTokens: num(body.timings.prompt_n) + num(body.timings.cache_n), outputTokens: num(body.timings.predicted_n) }
  }
  return undefined
}

/** Ids for calls a server sent without one: 9 alphanumerics, the form every chat template accepts (Mistral's checks it). */
function syntheticId(index: number): string {
  return `call${String(index).padStart(5, '0')}`
}

/**
 * Gives every call an id no earlier call of the conversation has. Servers repeat ids across turns (index-based ids of
 * early llama.cpp, Gemini's ""), and a replayed `tool_call_id` must pair with exactly one call. `used` is updated.
 */
export function uniqueCallIds(calls: NormalizedToolCall[], used: Set<string>): NormalizedToolCall[] {
  return calls.map((call) => {
    let id = call.id
    for (let n = used.size; id === '' || used.has(id); n++) {
      id = syntheticId(n)
    }
    used.add(id)
    return id === call.id ? call : { ...call, id }
  })
}

/**
 * The arguments string to send back in the conversation's history: as the model sent it when it is a JSON object,
 * re-serialised when it was double-encoded or an object, and `{}` when it did not parse (llama.cpp answers HTTP 500 to
 * a history whose arguments it cannot parse; the tool's error result tells the model what went wrong).
 */
export function replayArguments(call: Pick<NormalizedToolCall, 'arguments' | 'rawArguments'>): string {
  if (call.arguments === null) {
    return '{}'
  }
  try {
    if (isObject(JSON.parse(call.rawArguments))) {
      return call.rawArguments
    }
  }
  catch {
    // "" or a double-encoded string: re-serialised below
  }
  return JSON.stringify(call.arguments)
}

/** The error a successful (HTTP 200) non-streaming body carries instead of a reply, or undefined when it is a reply. */
export function replyError(body: unknown): { message: string, body: unknown } | undefined {
  if (!isObject(body)) {
    return { message: `reply is not a JSON object (${typeof body === 'string' ? `text: ${body.slice(0, 200)}` : typeof body})`, body: null }
  }
  if (body.error !== undefined && body.error !== null) {
    const error = body.error
    return { message: (isObject(error) ? str(error.message) : str(error)) || 'error in reply', body }
  }
  if (body.object === 'error') {
    return { message: str(body.message) || 'error in reply', body }
  }
  if (isObject(body.base_resp) && num(body.base_resp.status_code) !== 0) {
    return { message: str(body.base_resp.status_msg) || `status_code ${num(body.base_resp.status_code)}`, body }
  }
  if (!Array.isArray(body.choices) || body.choices.length === 0) {
    return { message: 'reply has no choices', body: null }
  }
  return undefined
}

/** An `extra_content` worth echoing back: an object shallow enough to serialise (a thought signature is a string in one). */
const echoable = (value: unknown): value is Loose => isObject(value) && valueDepth(value) <= maxArgumentDepth

/** Reads a non-streaming chat-completion body from any server. Never throws. */
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
    const fn = isObject(call.function) ? call.function : call
    const extra = echoable(call.extra_content) ? { extra: call.extra_content as Record<string, Json> } : {}
    toolCalls.push({ id: str(call.id), name: str(fn.name), ...parseArguments(fn.arguments ?? fn.parameters), source: 'native', ...extra })
  }
  return finish(contentText(message.content), reasoningOf(message), withIds(toolCalls), choice.finish_reason, usageOf(root))
}

/** Synthesises ids for calls sent without one or with the id of an earlier call in the same reply. */
function withIds(calls: NormalizedToolCall[]): NormalizedToolCall[] {
  const seen = new Set<string>()
  return calls.map((call, index) => {
    const id = call.id === '' || seen.has(call.id) ? syntheticId(index) : call.id
    seen.add(id)
    return id === call.id ? call : { ...call, id }
  })
}

function finish(rawContent: string, reasoning: string, toolCalls: NormalizedToolCall[], finishReason: unknown, usage: NormalizedCompletion['usage'] | undefined): NormalizedCompletion {
  const { text, thinking } = splitThinking(rawContent)
  const allReasoning = [reasoning.trim(), thinking].filter(part => part !== '').join('\n')
  const content = text.trim() === '' ? null : text.trim()
  return {
    content,
    reasoning: allReasoning === '' ? null : allReasoning,
    toolCalls,
    textToolCalls: toolCalls.length === 0 && content !== null ? extractTextToolCalls(content) : [],
    finishReason: typeof finishReason === 'string' && finishReason !== '' ? finishReason : null,
    usage: usage ?? { inputTokens: 0, outputTokens: 0 },
  }
}

/**
 * An error inside an HTTP 200 reply: an error chunk in a stream (OpenRouter, llama.cpp), a stream that ended without a
 * finish reason (cut off, or an old llama.cpp `error:` field the SSE parser dropped), or a 200 body that is an error.
 * `body` is the error payload, for classification (src/models/errors.ts).
 */
export class StreamError extends Error {
  constructor(message: string, readonly body: unknown) {
    super(message)
    this.name = 'StreamError'
  }
}

/** Whether a stream chunk carries output (content, reasoning or a tool call): what "first token" means for ttft. */
export function chunkHasOutput(chunk: unknown): boolean {
  if (!isObject(chunk) || !Array.isArray(chunk.choices)) {
    return false
  }
  return chunk.choices.some((choice) => {
    const delta = isObject(choice) && isObject(choice.delta) ? choice.delta : {}
    return contentText(delta.content) !== '' || reasoningOf(delta) !== '' || (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0)
  })
}

interface Slot { id: string, name: string, args: string, argsValue?: unknown, extra?: Loose }

/** The key of a delta's call: its index when numeric; else an id or name starts a new call and anything else extends the last. */
function slotKey(call: Loose, fnName: string, slots: Map<number, Slot>, state: { last: number, next: number }): number {
  const index = typeof call.index === 'number' ? call.index : typeof call.index === 'string' && /^\d+$/.test(call.index) ? Number(call.index) : undefined
  if (index !== undefined) {
    state.next = Math.max(state.next, index + 1)
    return index
  }
  const id = str(call.id)
  const known = id === '' ? undefined : [...slots.entries()].find(([, slot]) => slot.id === id)
  if (known) {
    return known[0]
  }
  if (id !== '' || fnName !== '' || state.last === -1) {
    return state.next++
  }
  return state.last
}

/**
 * Assembles the parsed SSE chunks of one streamed reply into the non-streaming shape. Calls are keyed by `index`
 * (which may start at 1); without one, a delta with a new id or a name starts a new call and anything else extends
 * the last. Whole calls and fragments both work, as do first deltas without `arguments`. A chunk with a top-level
 * `error` throws a StreamError; so does a stream that never sent a finish reason, or finished with "error".
 */
export function accumulateStream(chunks: Iterable<unknown>): NormalizedCompletion {
  let content = ''
  let reasoning = ''
  let finishReason: string | null = null
  let usage: NormalizedCompletion['usage'] | undefined
  const slots = new Map<number, Slot>()
  const state = { last: -1, next: 0 }
  for (const chunk of chunks) {
    if (!isObject(chunk)) {
      continue
    }
    if (chunk.error !== undefined && chunk.error !== null) {
      const error = chunk.error
      const message = isObject(error) ? str(error.message) : str(error)
      throw new StreamError(message || 'error chunk in stream', error)
    }
    usage = usageOf(chunk) ?? usage
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      if (!isObject(choice) || (typeof choice.index === 'number' && choice.index !== 0)) {
        continue
      }
      const delta = isObject(choice.delta) ? choice.delta : {}
      content += contentText(delta.content)
      reasoning += reasoningOf(delta, '')
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        if (!isObject(call)) {
          continue
        }
        const fn = isObject(call.function) ? call.function : {}
        const name = str(fn.name)
        const key = slotKey(call, name, slots, state)
        state.last = key
        const slot = slots.get(key) ?? { id: '', name: '', args: '' }
        slots.set(key, slot)
        if (str(call.id) !== '' && slot.id === '') {
          slot.id = str(call.id)
        }
        // Names come whole on the first delta. Later "" names (LM Studio < 0.3.16) and repeats are ignored; a name
        // that extends the one so far replaces it; anything else is a fragment of the name.
        if (name !== '' && name !== slot.name) {
          slot.name = name.startsWith(slot.name) ? name : slot.name + name
        }
        if (typeof fn.arguments === 'string') {
          slot.args += fn.arguments
        }
        else if (fn.arguments !== undefined && fn.arguments !== null) {
          // A whole object (Ollama's shape), or an array, number or boolean, which parseArguments records as invalid.
          slot.argsValue = fn.arguments
        }
        if (echoable(call.extra_content)) {
          slot.extra = call.extra_content
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
  if (finishReason === 'error') {
    throw new StreamError('stream finished with finish_reason "error"', null)
  }
  const toolCalls = [...slots.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, slot]): NormalizedToolCall => ({
      id: slot.id,
      name: slot.name,
      ...parseArguments(slot.argsValue ?? slot.args),
      source: 'native',
      ...(slot.extra ? { extra: slot.extra as Record<string, Json> } : {}),
    }))
  return finish(content, reasoning, withIds(toolCalls), finishReason, usage)
}

// ---------------------------------------------------------------------------------------------------
// Tool calls written as text

function textCall(index: number, name: string, args: unknown): NormalizedToolCall {
  return { id: `text${String(index).padStart(5, '0')}`, name, ...parseArguments(args), source: 'text' }
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

/**
 * The top-level JSON objects and arrays in a text, found by matching braces outside strings, each parsed (or null when
 * it does not parse), with the text of each: a call may sit in prose, in a fence, or several per line.
 */
function jsonSpans(text: string): { source: string, value: unknown }[] {
  const spans: { source: string, value: unknown }[] = []
  let depth = 0
  let start = -1
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (inString) {
      if (char === '\\') {
        i++
      }
      else if (char === '"') {
        inString = false
      }
      continue
    }
    if (char === '"' && depth > 0) {
      inString = true
    }
    else if (char === '{' || char === '[') {
      if (depth === 0) {
        start = i
      }
      depth++
    }
    else if ((char === '}' || char === ']') && depth > 0) {
      depth--
      if (depth === 0) {
        const source = text.slice(start, i + 1)
        let value: unknown = null
        try {
          value = JSON.parse(source)
        }
        catch {
          // unbalanced in a way braces do not show (a stray quote): kept as unparsed
        }
        spans.push({ source, value })
      }
    }
  }
  if (depth > 0 && start !== -1) {
    spans.push({ source: text.slice(start), value: null })
  }
  return spans
}

/** A call whose JSON does not parse (truncated, unbalanced, as vLLM's llama3_json misses produce): name kept, arguments null. */
function brokenJsonCall(source: string, index: number): NormalizedToolCall | null {
  const match = /^\s*\{\s*(?:"type"\s*:\s*"function"\s*,\s*"function"\s*:\s*\{\s*)?"name"\s*:\s*"([^"]+)"\s*,\s*"(?:arguments|parameters)"\s*:\s*([\s\S]*)$/.exec(source)
  if (!match) {
    return null
  }
  const name = match[1] ?? ''
  const sent = (match[2] ?? '').trim()
  // The arguments end where the call's own closing brace was meant to be: try without one or two trailing braces.
  let rest = sent
  for (let cut = 0; cut < 3 && rest !== ''; cut++) {
    if (parseArguments(rest).arguments !== null) {
      return textCall(index, name, rest)
    }
    if (!rest.endsWith('}')) {
      break
    }
    rest = rest.slice(0, -1).trim()
  }
  return { ...textCall(index, name, '{}'), arguments: null, rawArguments: sent }
}

/** Every call written as JSON in a text: bare, fenced, in an array, one per line, or broken but recognisable. */
function jsonCalls(text: string, start: number): NormalizedToolCall[] {
  const calls: NormalizedToolCall[] = []
  for (const span of jsonSpans(text)) {
    const items = Array.isArray(span.value) ? span.value : [span.value]
    if (span.value === null) {
      const broken = brokenJsonCall(span.source, start + calls.length)
      if (broken) {
        calls.push(broken)
      }
      continue
    }
    for (const item of items) {
      const call = callFromJson(item, start + calls.length)
      if (call) {
        calls.push(call)
      }
    }
  }
  return calls
}

/** Qwen3-Coder, MiniMax and GLM XML carry raw text values: numbers, booleans and JSON are read as JSON when they parse. */
function xmlValue(raw: string): Json {
  const text = raw.trim()
  try {
    return JSON.parse(text) as Json
  }
  catch {
    return text
  }
}

/** Only the start of a content is searched for calls written as text: far more than any real reply, and a bound on the work. */
const maxScannedChars = 256 * 1024

/** Most calls recovered from one content; a reply that writes more is degenerate, and the rest are not read. */
const maxTextCalls = 100

/**
 * The bodies of `open ... close` blocks, in order: each runs to the first `close` after its `open`, or to the end of the
 * text when `toEnd` and there is none (what `/open([\s\S]*?)(?:close|$)/g` finds, in linear time).
 */
function blockBodies(text: string, open: string, close: string, toEnd: boolean): string[] {
  const bodies: string[] = []
  for (let at = text.indexOf(open); at !== -1;) {
    const start = at + open.length
    const end = text.indexOf(close, start)
    if (end === -1) {
      if (toEnd) {
        bodies.push(text.slice(start))
      }
      break
    }
    bodies.push(text.slice(start, end))
    at = text.indexOf(open, end + close.length)
  }
  return bodies
}

const isWordChar = (code: number): boolean => (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
const isNameChar = (code: number): boolean => isWordChar(code) || code === 46 || code === 45 // . -

/** The end of the run of characters from `from` that pass `test`. */
function runEnd(text: string, from: number, test: (code: number) => boolean): number {
  let end = from
  while (end < text.length && test(text.charCodeAt(end))) {
    end++
  }
  return end
}

/**
 * `<tag=name>value</tag>` pairs (Qwen3-Coder's `<parameter=x>`) or `<tag name="name">value</tag>` pairs (MiniMax's
 * `<parameter name="x">`, `<invoke name="x">`), in order, in linear time: a name scan that fails stops where every
 * later start inside it would stop too, and a missing closing tag ends the search (its value running to the end of
 * the text when `toEnd`).
 */
function namedBlocks(text: string, open: string, nameEnd: '>' | '">', close: string, toEnd = false): [string, string][] {
  const found: [string, string][] = []
  let from = 0
  for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, from)) {
    const nameStart = at + open.length
    // `<tag=` names stop at `>` or whitespace; `<tag name="` names at the closing quote.
    let stop = nameStart
    if (nameEnd === '>') {
      while (stop < text.length && text[stop] !== '>' && !/\s/.test(text[stop] as string)) {
        stop++
      }
    }
    else {
      stop = text.indexOf('"', nameStart)
      if (stop === -1) {
        break
      }
    }
    if (stop === nameStart || !text.startsWith(nameEnd, stop)) {
      from = Math.max(stop, at + 1)
      continue
    }
    const valueStart = stop + nameEnd.length
    const end = text.indexOf(close, valueStart)
    if (end === -1) {
      if (toEnd) {
        found.push([text.slice(nameStart, stop), text.slice(valueStart)])
      }
      break
    }
    found.push([text.slice(nameStart, stop), text.slice(valueStart, end)])
    from = end + close.length
  }
  return found
}

/** Kimi's `<|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{...}<|tool_call_end|>` calls. */
function kimiCalls(text: string): [string, string][] {
  const begin = '<|tool_call_begin|>'
  const argument = '<|tool_call_argument_begin|>'
  const end = '<|tool_call_end|>'
  const found: [string, string][] = []
  let nextArgument = -1
  for (let at = text.indexOf(begin); at !== -1;) {
    const head = at + begin.length
    if (nextArgument < head) {
      nextArgument = text.indexOf(argument, head)
    }
    if (nextArgument === -1) {
      break
    }
    // The header between the two markers is short when it is one: `functions.get_weather:0`.
    const name = nextArgument - head <= 300 ? /^\s*(?:functions\.)?([\w.-]+?)(?::\d+)?\s*$/.exec(text.slice(head, nextArgument))?.[1] : undefined
    if (name === undefined) {
      at = text.indexOf(begin, at + 1)
      continue
    }
    const bodyStart = nextArgument + argument.length
    const stop = text.indexOf(end, bodyStart)
    found.push([name, text.slice(bodyStart, stop === -1 ? undefined : stop).trim()])
    if (stop === -1) {
      break
    }
    at = text.indexOf(begin, stop + end.length)
  }
  return found
}

/**
 * Harmony's `to=functions.NAME ... <|constrain|>json<|message|>{...}<|call|>` calls: after the name, anything up to
 * the line's first `<` must be `<|message|>` (or `<|constrain|>word<|message|>`). When it is not, no mark before that
 * `<` can be a call either, so the search goes on from there (the pattern this replaces took minutes on 1.5 MB of
 * repeated `to=functions.x `).
 */
function harmonyCalls(text: string): [string, string][] {
  const mark = 'to=functions.'
  const found: [string, string][] = []
  let from = 0
  for (let at = text.indexOf(mark); at !== -1; at = text.indexOf(mark, from)) {
    const nameStart = at + mark.length
    const nameEnd = runEnd(text, nameStart, isNameChar)
    let stop = nameEnd
    while (stop < text.length && text[stop] !== '\n' && text[stop] !== '<') {
      stop++
    }
    let body = -1
    if (text.startsWith('<|constrain|>', stop)) {
      const word = runEnd(text, stop + '<|constrain|>'.length, isWordChar)
      if (word > stop + '<|constrain|>'.length && text.startsWith('<|message|>', word)) {
        body = word + '<|message|>'.length
      }
    }
    if (body === -1 && text.startsWith('<|message|>', stop)) {
      body = stop + '<|message|>'.length
    }
    if (nameEnd === nameStart || body === -1) {
      from = Math.max(stop, at + 1)
      continue
    }
    const end = text.indexOf('<|call|>', body)
    found.push([text.slice(nameStart, nameEnd), text.slice(body, end === -1 ? undefined : end).trim()])
    if (end === -1) {
      break
    }
    from = end + '<|call|>'.length
  }
  return found
}

/** The text after the first `open`, up to the first of `closes` or the end; undefined without `open`. */
function firstBody(text: string, open: string, closes: string[]): string | undefined {
  const at = text.indexOf(open)
  if (at === -1) {
    return undefined
  }
  const start = at + open.length
  const ends = closes.map(close => text.indexOf(close, start)).filter(end => end !== -1)
  return text.slice(start, ends.length > 0 ? Math.min(...ends) : undefined)
}

/**
 * Finds tool calls a model wrote into its content instead of `tool_calls`, in the formats real servers leak:
 * Hermes/Qwen `<tool_call>` (JSON or Qwen3-Coder XML), Mistral `[TOOL_CALLS]` (both generations), Llama
 * `<|python_tag|>` and `<|python_start|>`, MiniMax `<minimax:tool_call>`, Kimi `<|tool_call_begin|>`, Harmony
 * `to=functions.X`, LM Studio `[TOOL_REQUEST]`, and bare or fenced JSON with `arguments` or `parameters`.
 * Expects content with `<think>` blocks already removed (normalizeCompletion does that first). Linear in the text, of
 * which only the first 256 KB are read, and at most 100 calls are returned: whatever a model writes, this ends quickly.
 */
export function extractTextToolCalls(content: string): NormalizedToolCall[] {
  const text = content.length > maxScannedChars ? content.slice(0, maxScannedChars) : content
  const calls: NormalizedToolCall[] = []
  for (const body of blockBodies(text, '<tool_call>', '</tool_call>', true)) {
    // Qwen3-Coder XML: the first `<function=name>` block, to `</function>` or the end (a reply cut off inside it).
    const xml = namedBlocks(body, '<function=', '>', '</function>', true)[0]
    if (xml) {
      const args: Record<string, Json> = {}
      for (const [name, value] of namedBlocks(xml[1], '<parameter=', '>', '</parameter>')) {
        args[name] = xmlValue(value)
      }
      calls.push(textCall(calls.length, xml[0], args))
    }
    else {
      calls.push(...jsonCalls(body, calls.length))
    }
  }
  for (const body of blockBodies(text, '<minimax:tool_call>', '</minimax:tool_call>', true)) {
    for (const [name, inner] of namedBlocks(body, '<invoke name="', '">', '</invoke>')) {
      const args: Record<string, Json> = {}
      for (const [param, value] of namedBlocks(inner, '<parameter name="', '">', '</parameter>')) {
        args[param] = xmlValue(value)
      }
      calls.push(textCall(calls.length, name, args))
    }
  }
  for (const [name, args] of [...kimiCalls(text), ...harmonyCalls(text)]) {
    calls.push(textCall(calls.length, name, args))
  }
  for (const body of blockBodies(text, '[TOOL_REQUEST]', '[END_TOOL_REQUEST]', true)) {
    calls.push(...jsonCalls(body, calls.length))
  }
  if (text.includes('[TOOL_CALLS]')) {
    for (const part of text.split('[TOOL_CALLS]').slice(1)) {
      const named = /^\s*([\w.-]+)\[ARGS\]([\s\S]*)$/.exec(part)
      if (named) {
        calls.push(textCall(calls.length, named[1] ?? '', (named[2] ?? '').trim()))
      }
      else {
        calls.push(...jsonCalls(part, calls.length))
      }
    }
  }
  const python = firstBody(text, '<|python_tag|>', ['<|eom_id|>', '<|eot_id|>']) ?? firstBody(text, '<|python_start|>', ['<|python_end|>'])
  if (python !== undefined) {
    calls.push(...jsonCalls(python, calls.length))
  }
  if (calls.length === 0) {
    // The lowest-confidence shape: JSON with a name and arguments anywhere in the content, bare or in a code fence.
    calls.push(...jsonCalls(text, 0))
  }
  return calls.slice(0, maxTextCalls)
}
