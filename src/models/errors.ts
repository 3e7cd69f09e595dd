// Classifies what went wrong in a model call, from the HTTP status and the error body in any server's shape
// (research/server-quirks.md sections 7 and 13), decides whether another attempt may help, and keeps secrets out of
// every recorded message. Pure.

import type { ErrorKind, RecordedError } from '../core/types.ts'
import { capText } from '../core/record-caps.ts'
import { redact } from './redact.ts'

export { redact } from './redact.ts'

type Loose = Record<string, unknown>
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value)
const text = (value: unknown): string => (typeof value === 'string' ? value : '')

/** What an error body says, whatever its shape. */
interface ErrorBody {
  /** The human-readable message ('' when the body has none), with OpenRouter's upstream detail appended. */
  message: string
  /** The body's code as a string: `context_length_exceeded`, `429`, `RESOURCE_EXHAUSTED`, `1002`... ('' if none). */
  code: string
  /** An HTTP status the body itself carries (`code: 429` of llama.cpp, vLLM, OpenRouter, Gemini), if any. */
  status?: number
  /** The body is an HTML page (a proxy's or gateway's own error page), not the model server's answer. */
  page?: true
}

/** The start of an HTML document or fragment, as proxies (nginx, Cloudflare, corporate gateways) send their error pages. */
const pageStart = /^\s*<(?:!doctype\s+html|html|head|body|title|center|h1|\?xml)\b/i

/** An HTML page's gist for a one-line message: its <title>, else its text without tags, on one line and short. */
function pageText(html: string): string {
  // Character classes that stop at the next `<` keep both patterns linear on any input.
  const title = /<title[^<>]*>([^<]{1,300})<\/title>/i.exec(html.slice(0, 20_000))?.[1]
  const text = title ?? html.slice(0, 20_000).replace(/<[^<>]*>/g, ' ')
  return text.replace(/\s+/g, ' ').trim().slice(0, 300)
}

const httpStatus = (value: unknown): number | undefined => (typeof value === 'number' && value >= 400 && value < 600 ? value : undefined)

/**
 * Reads an error body in every shape the research lists: `{error:{message,type,param,code}}` (OpenAI, Ollama; code a
 * string or null), `{error:{code:int,message,type}}` (llama.cpp, vLLM), legacy top-level `{object:"error",message,
 * code}` (vLLM 2024), `{error:"text"}` (LM Studio, mlx_lm), a JSON array `[{error:{code,message,status}}]` (Gemini),
 * `{error:{code:int,message,metadata:{raw}}}` (OpenRouter), `base_resp:{status_code,status_msg}` (MiniMax),
 * `{detail}` (FastAPI servers), a JSON string, or plain text.
 */
export function readErrorBody(body: unknown): ErrorBody {
  if (typeof body === 'string') {
    const trimmed = body.trim()
    if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
      try {
        return readErrorBody(JSON.parse(trimmed))
      }
      catch {
        // not JSON after all: the text is the message
      }
    }
    if (pageStart.test(trimmed)) {
      return { message: pageText(trimmed), code: '', page: true }
    }
    return { message: trimmed, code: '' }
  }
  if (Array.isArray(body)) {
    return readErrorBody(body.find(item => isObject(item) && item.error !== undefined) ?? body[0])
  }
  if (!isObject(body)) {
    return { message: '', code: '' }
  }
  if (typeof body.error === 'string') {
    return { message: body.error, code: '' }
  }
  if (isObject(body.base_resp) && body.error === undefined && body.message === undefined) {
    const code = body.base_resp.status_code
    return { message: text(body.base_resp.status_msg), code: code === undefined || code === null ? '' : String(code) }
  }
  const source = isObject(body.error) ? body.error : body
  const detail = source.detail
  const message = text(source.message) || text(detail) || (Array.isArray(detail) ? JSON.stringify(detail) : '')
  const metadata = isObject(source.metadata) ? source.metadata : {}
  const upstream = text(metadata.raw) || (Array.isArray(metadata.reasons) ? metadata.reasons.map(String).join(', ') : '')
  // A body's `code` is the most specific thing it says; Gemini puts its canonical name in `status`, OpenAI its class in `type`.
  const rawCode = [source.code, source.status, source.type].find(value => (typeof value === 'string' && value !== '') || typeof value === 'number')
  const status = httpStatus(source.code) ?? httpStatus(source.status)
  return {
    message: upstream && upstream !== message ? `${message} (${upstream})` : message,
    code: rawCode === undefined ? '' : String(rawCode),
    ...(status === undefined ? {} : { status }),
  }
}

/** Context overflow, in every wording the research found (OpenAI, vLLM, llama.cpp old and new, Gemini, OpenRouter, Anthropic). */
const contextPattern = /context[_ ]length|maximum context|context window|context size|exceed_context_size|too many tokens|input token count|prompt is too long|token limit|request_too_large/i
/**
 * llama.cpp reports a model's unparseable output ("Failed to parse input at pos N: <raw text>"), unparseable replayed
 * arguments and an invalid tool definition as HTTP 500. None of these is the server being down, and a retry cannot fix
 * them. Checked first: the raw model text after `pos N:` may contain anything.
 */
const parseFailurePattern = /^failed to parse (?:input|tool call arguments|tools)/i
const rateLimitPattern = /rate[_ -]?limit|RESOURCE_EXHAUSTED|too many requests|insufficient_quota/i
const authPattern = /invalid[_ ]api[_ ]key|incorrect api key|api key not valid|UNAUTHENTICATED|PERMISSION_DENIED|authentication/i
const notFoundPattern = /model_not_found|NOT_FOUND|does not exist|not found, try pulling/i
const timeoutPattern = /DEADLINE_EXCEEDED|timed? ?out/i
const overloadPattern = /UNAVAILABLE|overloaded|server busy|loading model/i

/** MiniMax's native `base_resp.status_code` values (HTTP 200 bodies), by kind. */
const minimaxCodes: Record<string, ErrorKind> = {
  1000: 'server',
  1001: 'timeout',
  1002: 'rate_limit',
  1004: 'auth',
  1008: 'auth',
  1013: 'server',
  1039: 'context_length',
  2013: 'bad_request',
}

/** The kind of an HTTP error whose body is a proxy's HTML page: the status alone, and never the model's failure. */
function pageKind(status: number | undefined): ErrorKind {
  if (status === 429) {
    return 'rate_limit'
  }
  if (status === 401 || status === 402 || status === 403 || status === 407) {
    return 'auth'
  }
  if (status === 404) {
    return 'not_found'
  }
  return status === 408 || status === 504 ? 'timeout' : 'server'
}

/**
 * The class of a failed call, from the body first (llama.cpp sends context overflows as 500, Gemini's and OpenRouter's
 * bodies name the class) and then the status. `status` is undefined for errors with no HTTP status: an error chunk
 * inside a 200 stream (classified by the code its body carries; see classifyReplyError), a reply that could not be
 * read (`stream`), or no reply at all (`network`, when there is no body either). An HTML page is a proxy's or a
 * gateway's answer, not the model server's ("413 Request Entity Too Large" from nginx says nothing about the context):
 * it is classified by its status and is never `context_length` or `bad_request`. So is a redirect the client did not
 * follow (3xx).
 */
export function classifyError(status: number | undefined, body: unknown): ErrorKind {
  const { message, code, status: bodyStatus, page } = readErrorBody(body)
  if (page || (status !== undefined && status >= 300 && status < 400)) {
    return pageKind(status)
  }
  const said = `${code} ${message}`
  if (parseFailurePattern.test(message.trim())) {
    return 'bad_request'
  }
  // A bare 413 (no body, or one that does not say why) comes from whatever stands in front of the model server.
  if (contextPattern.test(said)) {
    return 'context_length'
  }
  if (status === 413) {
    return 'server'
  }
  const minimax = minimaxCodes[code]
  if (status === undefined && bodyStatus === undefined && minimax) {
    return minimax
  }
  const effective = status ?? bodyStatus
  if (effective === 429 || rateLimitPattern.test(said)) {
    return 'rate_limit'
  }
  if (effective === 401 || effective === 402 || effective === 403 || authPattern.test(said)) {
    return 'auth'
  }
  if (effective === 404 || notFoundPattern.test(said)) {
    return 'not_found'
  }
  // Wording about timeouts and overload counts only where no 4xx status says otherwise ("'timeout' is not a field").
  const serverSide = effective === undefined || effective >= 500
  if (effective === 408 || effective === 504 || (serverSide && timeoutPattern.test(said))) {
    return 'timeout'
  }
  if ((effective !== undefined && effective >= 500) || (serverSide && overloadPattern.test(said))) {
    return 'server'
  }
  if (effective === undefined) {
    return body === undefined || body === null ? 'network' : 'stream'
  }
  return 'bad_request'
}

/**
 * The class of an error that arrived inside an HTTP 200 reply: an `error` chunk in a stream (OpenRouter, llama.cpp,
 * vLLM and SGLang when the engine fails mid-generation, e.g. "CUDA error: an illegal memory access"), or a 200 body
 * that is an error object. The server accepted the request and then failed, so the code the error carries (often
 * 400) does not make it the model's fault: what would otherwise be `bad_request` is `server`. Two wordings keep
 * their class, because they name what the model did: a context overflow, and llama.cpp's "Failed to parse input"
 * (the model's output did not fit the tool-call grammar; research/server-quirks.md section 4.1).
 */
export function classifyReplyError(body: unknown): ErrorKind {
  const kind = classifyError(undefined, body)
  if (kind === 'bad_request' && !parseFailurePattern.test(readErrorBody(body).message.trim())) {
    return 'server'
  }
  return kind
}

/**
 * Kinds another attempt may fix: rate limits, overloaded or failing servers, timeouts and dropped connections. A context
 * overflow, a rejected request, a bad key or an unreadable reply comes back the same however often it is sent.
 */
export function isTransient(kind: ErrorKind): boolean {
  return kind === 'rate_limit' || kind === 'server' || kind === 'timeout' || kind === 'network'
}

/**
 * Kinds that are the infrastructure's fault: they mark a run incomplete instead of scoring the model 0. A reply the
 * harness could not read (`stream`: cut off, malformed JSON, an error inside a 200 stream) is the server's fault too,
 * as are a strict cache's missing recording and a test that ended without a run record (`cache_miss`, `harness`).
 * `context_length` and `bad_request` are not: they follow from what the conversation became or what was asked.
 */
export function isInfrastructure(kind: ErrorKind): boolean {
  return kind !== 'context_length' && kind !== 'bad_request'
}

/** A recorded error, with any secret removed from its message, and the message cut to 2000 characters (a server's body can be any size). */
export function recordError(kind: ErrorKind, message: string, status: number | undefined, secrets: readonly string[]): RecordedError {
  return { kind, message: capText(redact(message, secrets), 2000), ...(status === undefined ? {} : { status }), infrastructure: isInfrastructure(kind) }
}
