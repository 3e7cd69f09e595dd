// Classifies what went wrong in a model call, from the HTTP status and the error body in any server's shape
// (research/server-quirks.md section 7), and decides whether it is worth a retry. Pure.

import type { ErrorKind, RecordedError } from './types.ts'

type Loose = Record<string, unknown>
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The message and code of an error body, whatever its shape: `{error:{message,code}}` (OpenAI, llama.cpp, vLLM,
 * OpenRouter), legacy top-level `{object:"error",message}` (vLLM), `{error:"text"}` (LM Studio, mlx_lm),
 * `[{error:{...}}]` (Gemini), `{message}` or a bare string.
 */
export function readErrorBody(body: unknown): { message: string, code: string } {
  if (typeof body === 'string') {
    try {
      return readErrorBody(JSON.parse(body))
    }
    catch {
      return { message: body, code: '' }
    }
  }
  if (Array.isArray(body)) {
    return readErrorBody(body[0])
  }
  if (!isObject(body)) {
    return { message: '', code: '' }
  }
  const inner = body.error
  if (typeof inner === 'string') {
    return { message: inner, code: '' }
  }
  const source = isObject(inner) ? inner : body
  const message = typeof source.message === 'string' ? source.message : ''
  const raw = source.code ?? source.status ?? source.type ?? ''
  const metadata = isObject(source.metadata) && typeof source.metadata.raw === 'string' ? ` (${source.metadata.raw})` : ''
  return { message: message + metadata, code: String(raw) }
}

const contextPattern = /context[_ ]length|maximum context|context window|exceed_context_size|too many tokens|input token count|prompt is too long|token limit/i

/** The class of an HTTP error, read from the body first (llama.cpp sends context overflows as 500) and then the status. */
export function classifyError(status: number | undefined, body: unknown): ErrorKind {
  const { message, code } = readErrorBody(body)
  const text = `${code} ${message}`
  if (contextPattern.test(text)) {
    return 'context_length'
  }
  if (status === undefined) {
    return body === undefined || body === null ? 'network' : 'stream'
  }
  if (status === 429 || /rate[_ ]?limit|RESOURCE_EXHAUSTED/i.test(text)) {
    return 'rate_limit'
  }
  if (status === 401 || status === 403) {
    return 'auth'
  }
  if (status === 404) {
    return 'not_found'
  }
  if (status === 408 || status === 504) {
    return 'timeout'
  }
  if (status >= 500) {
    return 'server'
  }
  return 'bad_request'
}

/** Statuses worth another try: 408, 409, 429 and every 5xx, as the issue and openai-node agree. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

/** Kinds that are the infrastructure's fault: they mark a run incomplete instead of scoring the model 0. */
export function isInfrastructure(kind: ErrorKind): boolean {
  return kind === 'rate_limit' || kind === 'auth' || kind === 'not_found' || kind === 'server' || kind === 'network' || kind === 'timeout'
}

/** A recorded error, with any secret removed from its message. */
export function recordError(kind: ErrorKind, message: string, status: number | undefined, secrets: readonly string[]): RecordedError {
  return { kind, message: redact(message, secrets), ...(status === undefined ? {} : { status }), infrastructure: isInfrastructure(kind) }
}

/** Replaces every occurrence of each secret (and its last-8 tail, as servers echo "sk-...abcd1234") with a marker. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length >= 8) {
      out = out.split(secret).join('[redacted]').split(secret.slice(-8)).join('[redacted]')
    }
  }
  return out
}
