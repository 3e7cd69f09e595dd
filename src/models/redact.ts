// Keeps API keys out of everything the harness writes or prints: a key, its URL-encoded form, its last 8 characters
// (servers echo keys masked as "sk-...abcd1234") and any run of 12 or more of its characters are replaced by a marker,
// in error messages, in replies (content, reasoning, tool arguments, streamed in fragments or not) and in files. Pure.

import type { NormalizedCompletion, NormalizedToolCall } from './normalize.ts'
import { parseArguments } from './normalize.ts'

const redactedMarker = '[redacted]'

/** The shortest run of a key's characters that is redacted on its own; shorter keys are redacted only whole. */
const minimumRun = 12

/** Secrets shorter than this are not real keys (`not-needed`, `x`) and are left alone. */
const minimumSecret = 8

/**
 * Where `key` or a run of at least `min(12, key.length)` of its consecutive characters occurs in `text`, as [start,
 * end) ranges. Linear in the text for any key: every such run contains one of the key's aligned blocks of
 * ceil(run / 2) characters, so the text is searched for those blocks (indexOf) and each hit is grown both ways.
 */
function keyRuns(text: string, key: string, ranges: [number, number][]): void {
  const run = Math.min(minimumRun, key.length)
  const block = Math.floor((run + 1) / 2)
  for (let offset = 0; offset + block <= key.length; offset += block) {
    const needle = key.slice(offset, offset + block)
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      let left = 0
      while (at - left > 0 && offset - left > 0 && text[at - left - 1] === key[offset - left - 1]) {
        left++
      }
      let right = block
      while (at + right < text.length && offset + right < key.length && text[at + right] === key[offset + right]) {
        right++
      }
      if (left + right >= run) {
        ranges.push([at - left, at + right])
      }
    }
  }
}

function exact(text: string, needle: string, ranges: [number, number][]): void {
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
    ranges.push([at, at + needle.length])
  }
}

/** The ranges of `text` to redact for these secrets, sorted and merged. */
function redactionRanges(text: string, secrets: readonly string[]): [number, number][] {
  const ranges: [number, number][] = []
  for (const secret of secrets) {
    if (secret.length < minimumSecret) {
      continue
    }
    keyRuns(text, secret, ranges)
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret) {
      keyRuns(text, encoded, ranges)
    }
    exact(text, secret.slice(-8), ranges)
  }
  if (ranges.length < 2) {
    return ranges
  }
  ranges.sort((a, b) => a[0] - b[0])
  const merged: [number, number][] = [ranges[0] as [number, number]]
  for (const [start, end] of ranges.slice(1)) {
    const last = merged[merged.length - 1] as [number, number]
    if (start <= last[1]) {
      last[1] = Math.max(last[1], end)
    }
    else {
      merged.push([start, end])
    }
  }
  return merged
}

/** The text with every occurrence of each secret, and every run of 12 or more of its characters, replaced by `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0 || text === '') {
    return text
  }
  const ranges = redactionRanges(text, secrets)
  if (ranges.length === 0) {
    return text
  }
  let out = ''
  let from = 0
  for (const [start, end] of ranges) {
    out += text.slice(from, start) + redactedMarker
    from = end
  }
  return out + text.slice(from)
}

type Container = Record<string, unknown> | unknown[]

/**
 * Redacts every string (and every object key) inside a parsed JSON value, in place, and returns it. Iterative, so a
 * reply nested thousands of levels deep is walked without overflowing the stack.
 */
export function redactJson<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) {
    return value
  }
  if (typeof value === 'string') {
    return redact(value, secrets) as T
  }
  const stack: Container[] = []
  if (typeof value === 'object' && value !== null) {
    stack.push(value as Container)
  }
  while (stack.length > 0) {
    const node = stack.pop() as Container
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item = node[i]
        if (typeof item === 'string') {
          node[i] = redact(item, secrets)
        }
        else if (typeof item === 'object' && item !== null) {
          stack.push(item as Container)
        }
      }
      continue
    }
    for (const key of Object.keys(node)) {
      const item = node[key]
      const cleanKey = redact(key, secrets)
      if (cleanKey !== key) {
        delete node[key]
        node[cleanKey] = item
      }
      if (typeof item === 'string') {
        node[cleanKey] = redact(item, secrets)
      }
      else if (typeof item === 'object' && item !== null) {
        stack.push(item as Container)
      }
    }
  }
  return value
}

type Loose = Record<string, unknown>
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Redacts the parsed chunks of one streamed reply, in place: each stream of fragments (the content, the reasoning, each
 * tool call's arguments) joined, then every string on its own, because a key streamed a few characters per delta
 * is whole only when the deltas are put together. Every fragment that holds part of a redacted range loses that part.
 */
export function redactStreamChunks(chunks: unknown[], secrets: readonly string[]): unknown[] {
  if (secrets.length === 0) {
    return chunks
  }
  const channels = new Map<string, { holder: Loose, field: string }[]>()
  const add = (channel: string, holder: Loose, field: string): void => {
    if (typeof holder[field] === 'string' && holder[field] !== '') {
      const list = channels.get(channel) ?? []
      list.push({ holder, field })
      channels.set(channel, list)
    }
  }
  for (const chunk of chunks) {
    const choices = isObject(chunk) && Array.isArray(chunk.choices) ? chunk.choices : []
    for (const choice of choices) {
      const delta = isObject(choice) && isObject(choice.delta) ? choice.delta : undefined
      if (!delta) {
        continue
      }
      for (const field of ['content', 'reasoning_content', 'reasoning']) {
        add(field, delta, field)
      }
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        if (isObject(call) && isObject(call.function)) {
          add(`call ${String(call.index ?? '')} arguments`, call.function, 'arguments')
        }
      }
    }
  }
  for (const fragments of channels.values()) {
    const texts = fragments.map(({ holder, field }) => holder[field] as string)
    const ranges = redactionRanges(texts.join(''), secrets)
    if (ranges.length === 0) {
      continue
    }
    let start = 0
    fragments.forEach(({ holder, field }, i) => {
      const text = texts[i] as string
      const end = start + text.length
      let out = ''
      let from = 0
      for (const [a, b] of ranges) {
        if (b <= start || a >= end) {
          continue
        }
        const cutFrom = Math.max(a, start) - start
        out += text.slice(from, cutFrom) + (a >= start ? redactedMarker : '')
        from = Math.min(b, end) - start
      }
      holder[field] = out + text.slice(from)
      start = end
    })
  }
  // The joined fragments first, so a per-string redaction cannot break a run apart; then every other string.
  return redactJson(chunks, secrets)
}

function redactCall(call: NormalizedToolCall, secrets: readonly string[]): NormalizedToolCall {
  const rawArguments = redact(call.rawArguments, secrets)
  const name = redact(call.name, secrets)
  if (rawArguments === call.rawArguments && name === call.name) {
    return call
  }
  // The arguments are read again from the redacted text, so the parsed and the raw form say the same.
  return { ...call, name, ...(rawArguments === call.rawArguments ? {} : { arguments: parseArguments(rawArguments).arguments, rawArguments }) }
}

/** A normalised reply with no secret left in its content, reasoning or tool calls (the last guard, after the raw body). */
export function redactCompletion(reply: NormalizedCompletion, secrets: readonly string[]): NormalizedCompletion {
  if (secrets.length === 0) {
    return reply
  }
  return {
    ...reply,
    content: reply.content === null ? null : redact(reply.content, secrets),
    reasoning: reply.reasoning === null ? null : redact(reply.reasoning, secrets),
    toolCalls: reply.toolCalls.map(call => redactCall(call, secrets)),
    textToolCalls: reply.textToolCalls.map(call => redactCall(call, secrets)),
  }
}
