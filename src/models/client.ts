// The model client: one chat-completion call through the official openai SDK, with the harness's own counted
// retries (p-retry), latency measured around the HTTP exchange only, and every reply normalised.

import type { ResponseCache } from './cache.ts'
import type { NormalizedCompletion } from './normalize.ts'
import type { ChatMessage, ErrorKind, Json, JsonSchema, ModelSpec, RecordedError, ToolDefinition } from '../core/types.ts'
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai'
import pRetry, { AbortError } from 'p-retry'
import { replySpace } from '../core/rows.ts'
import { CacheMissError, cacheKey } from './cache.ts'
import { classifyError, classifyReplyError, isTransient, readErrorBody, recordError } from './errors.ts'
import { accumulateStream, chunkHasOutput, normalizeCompletion, replyError, StreamError } from './normalize.ts'
import { dropSchemaKeywords, presets, standardFields } from './presets.ts'
import { redactCompletion, redactJson, redactStreamChunks } from './redact.ts'

export interface CompletionRequest {
  messages: ChatMessage[]
  tools: ToolDefinition[]
  responseFormat?: { name: string, schema: JsonSchema }
  /** Which run of the task this is (0-based): part of the cache address, so each run keeps its own reply. */
  repeat?: number
  /**
   * The task's id, sent to the embedded reference server only (`x-milo-task`), so its models find the task by id even
   * after its prompt was edited in watch mode; never part of the cache address.
   */
  taskId?: string
}

interface CompletionResult {
  reply: NormalizedCompletion
  /** The successful HTTP exchange only. */
  latencyMs: number
  /** Every HTTP exchange of the call, failed attempts included: what the call costs a task's time budget. */
  activeMs: number
  ttftMs?: number
  retries: number
  cached?: boolean
}

/** What is left of a task's time budget for this call, in ms of model time (HTTP exchanges only). */
interface CallBudget {
  remainingMs: number
}

/** The call ran out of the task's time budget: the run ends with `budget`, scored on what it had done. */
export class BudgetExhaustedError extends Error {
  constructor(readonly activeMs: number) {
    super('time budget exceeded')
    this.name = 'BudgetExhaustedError'
  }
}

/**
 * One HTTP exchange outlasted the request timeout (`requestTimeoutMs`, MILO_TIMEOUT_MS for `custom`), body included: a
 * server that sends its headers and then stalls, or streams a byte now and then, is cut off here like one that never
 * answers (the SDK's own timer stops once the headers arrive).
 */
class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no complete reply within the request timeout of ${timeoutMs} ms (requestTimeoutMs; MILO_TIMEOUT_MS for custom)`)
    this.name = 'RequestTimeoutError'
  }
}

/** A call that failed for good: the classified error, secret-free, and the retries spent on it. */
export class ModelCallError extends Error {
  constructor(readonly recorded: RecordedError, readonly retries: number) {
    super(recorded.message)
    this.name = 'ModelCallError'
  }
}

interface ClientOptions {
  /** Base URL to call (the entry's, or the embedded server's / an override). */
  baseURL: string
  /** The API key, read by the caller from the variable the entry names. Never logged or recorded. */
  apiKey?: string
  /** Retries after the first attempt for retryable failures (default 3). */
  retries?: number
  /** First backoff in ms when the server gives no Retry-After (default 500, doubling, capped at 8 s). */
  backoffMs?: number
  /** Longest Retry-After honoured, in ms (default 60 000); longer waits fall back to the backoff. */
  maxRetryAfterMs?: number
  /** Runs before each HTTP attempt and resolves when a slot is free; returns its release. Not timed. */
  acquire?: (signal?: AbortSignal) => Promise<() => void>
  /** Recorded replies (src/models/cache.ts); a hit returns the recorded reply and latency without a model call. */
  cache?: ResponseCache
  /** The largest reply body read, in bytes (default 64 MiB): a server that sends more gets the call an error, not the memory. */
  maxReplyBytes?: number
}

/** No model's reply comes near it: a reply this big is a broken or hostile server, read no further. */
const defaultMaxReplyBytes = 64 * 1024 * 1024

/** A reply body over the limit: declared so by its content-length, or found so while it arrived. */
class ReplyTooLargeError extends Error {
  constructor(limit: number, declared?: number) {
    super(declared === undefined
      ? `the reply grew past ${String(limit)} bytes; the rest was not read`
      : `the reply declares ${String(declared)} bytes, more than the ${String(limit)} read; not read`)
  }
}

/** The response with its body read at most `limit` bytes: refused up front when its content-length says more. */
function limitBody(response: Response, limit: number): Response {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > limit) {
    void response.body?.cancel()
    throw new ReplyTooLargeError(limit, declared)
  }
  if (!response.body || Number.isFinite(declared)) {
    return response // a declared length within the limit, which fetch holds the server to
  }
  let seen = 0
  const counted = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength
      if (seen > limit) {
        controller.error(new ReplyTooLargeError(limit))
        return
      }
      controller.enqueue(chunk)
    },
  }))
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers })
}

/** The first `limit` bytes of a body as text (the rest is not read), for an error page of any size. */
async function readPrefix(response: Response, limit: number): Promise<string> {
  if (!response.body) {
    return ''
  }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (size < limit) {
    const { done, value } = await reader.read()
    if (done) {
      break
    }
    chunks.push(value)
    size += value.byteLength
  }
  await reader.cancel()
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit))
}

export interface ModelClient {
  /**
   * One model call. With a `budget`, each HTTP exchange is aborted when the budget's model time runs out (waiting for a
   * concurrency slot and retry backoff do not count), and the call throws BudgetExhaustedError.
   */
  complete: (request: CompletionRequest, signal?: AbortSignal, budget?: CallBudget) => Promise<CompletionResult>
}

/**
 * Builds the request body from the entry's parameters and its server's preset: the output-limit field the server reads
 * (and a limit where the server's default truncates), thinking turned off the server's way when `params.thinking` is
 * false, schema keywords the server rejects removed, and for servers that reject unknown fields only standard fields.
 */
export function buildRequestBody(spec: ModelSpec, request: CompletionRequest): Record<string, unknown> {
  const preset = presets[spec.server]
  const params = spec.params ?? {}
  const schema = (value: JsonSchema): JsonSchema => dropSchemaKeywords(value as Json, preset.schemaDrop) as JsonSchema
  const body: Record<string, unknown> = { model: spec.model, messages: request.messages }
  if (request.tools.length > 0) {
    body.tools = request.tools.map(tool => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: schema(tool.parameters) } }))
  }
  const temperature = params.temperature === undefined ? (preset.sendsTemperature ? 0 : null) : params.temperature
  if (temperature !== null) {
    body.temperature = temperature
  }
  if (params.top_p !== undefined) {
    body.top_p = params.top_p
  }
  if (params.seed !== undefined) {
    body.seed = params.seed
  }
  const maxOutputTokens = params.maxOutputTokens ?? preset.defaultMaxOutputTokens
  if (maxOutputTokens !== undefined) {
    body[preset.maxTokensField] = maxOutputTokens
  }
  if (request.responseFormat && preset.responseFormat === 'json_schema') {
    body.response_format = { type: 'json_schema', json_schema: { name: request.responseFormat.name, schema: schema(request.responseFormat.schema) } }
  }
  else if (request.responseFormat && preset.responseFormat === 'json_object') {
    body.response_format = { type: 'json_object' }
  }
  if (spec.stream) {
    body.stream = true
    body.stream_options = { include_usage: true }
  }
  const merged: Record<string, unknown> = { ...body, ...preset.body, ...(params.thinking === false ? preset.thinkingOff : {}), ...params.extraBody }
  if (preset.strictFields) {
    for (const field of Object.keys(merged)) {
      if (!standardFields.has(field)) {
        delete merged[field]
      }
    }
  }
  return merged
}

/**
 * Output tokens per second of one exchange: counted from the first token when streaming (generation speed without
 * the prompt's processing), over the whole exchange otherwise. Undefined when the server reported no output tokens.
 */
export function outputTokensPerSecond(outputTokens: number, latencyMs: number, ttftMs?: number): number | undefined {
  const ms = ttftMs === undefined ? latencyMs : latencyMs - ttftMs
  if (outputTokens <= 0 || latencyMs <= 0) {
    return undefined
  }
  // A stream that arrived in one piece has no measurable generation time after its first token.
  return Math.round((outputTokens / (ms > 0 ? ms : latencyMs)) * 1000 * 1000) / 1000
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve, reject) => {
  if (signal?.aborted) {
    reject(signal.reason)
    return
  }
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', onAbort)
    resolve()
  }, ms)
  const onAbort = (): void => {
    clearTimeout(timer)
    reject(signal?.reason)
  }
  signal?.addEventListener('abort', onAbort, { once: true })
})

/** Milliseconds the server asked us to wait, from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'))
  if (Number.isFinite(ms) && ms > 0) {
    return ms
  }
  const value = headers?.get('retry-after')
  if (!value) {
    return undefined
  }
  const seconds = Number(value)
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000)
  }
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * Turns whatever a call threw into a classified error; `retryable` says whether another attempt may succeed (rate
 * limits, 5xx, timeouts, dropped connections). `rawBodies` holds the text of error responses by their headers, for the
 * body shapes openai-node cannot read (Gemini's array, vLLM's legacy top-level error).
 */
function classify(error: unknown, secrets: readonly string[], rawBodies?: WeakMap<Headers, string>): { recorded: RecordedError, retryable: boolean, headers?: Headers } {
  const tooLarge = error instanceof ReplyTooLargeError ? error : (error as { cause?: unknown } | null)?.cause
  if (tooLarge instanceof ReplyTooLargeError) {
    // the server's fault, and another attempt would only read as much again
    return { recorded: recordError('stream', tooLarge.message, undefined, secrets), retryable: false }
  }
  if (error instanceof RequestTimeoutError) {
    return { recorded: recordError('timeout', error.message, undefined, secrets), retryable: true }
  }
  if (error instanceof StreamError) {
    const kind = classifyReplyError(error.body ?? error.message)
    return { recorded: recordError(kind, `stream error: ${error.message}`, undefined, secrets), retryable: isTransient(kind) }
  }
  if (error instanceof APIError) {
    const status = error.status as number | undefined
    if (status === undefined) {
      // An `error` chunk inside a 200 stream, or a connection failure; the SDK marks both with no status.
      const connection = error instanceof APIConnectionError
      const kind: ErrorKind = error instanceof APIConnectionTimeoutError ? 'timeout' : connection ? 'network' : classifyReplyError(error.error ?? error.message)
      const cause = connection ? causeOf(error) : ''
      const where = connection ? '' : 'error inside the reply stream: '
      return { recorded: recordError(kind, `${where}${error.message}${cause}`, undefined, secrets), retryable: isTransient(kind) }
    }
    const raw = error.headers ? rawBodies?.get(error.headers) : undefined
    const body = raw ?? error.error
    const { message } = readErrorBody(body)
    const kind = classifyError(status, body)
    return {
      recorded: recordError(kind, `HTTP ${status}: ${message || error.message}`, status, secrets),
      // A proxy's 413 page or a redirect not followed is `server` too, but only a 5xx may clear on its own.
      retryable: isTransient(kind) && !(kind === 'server' && status < 500),
      headers: error.headers,
    }
  }
  if (error instanceof SyntaxError) {
    return { recorded: recordError('stream', `malformed reply: ${error.message}`, undefined, secrets), retryable: false }
  }
  // undici's "terminated": the connection dropped while the body or the stream was arriving.
  const message = error instanceof Error ? `${error.message === 'terminated' ? 'connection dropped mid-reply' : error.message}${causeOf(error)}` : String(error)
  return { recorded: recordError('network', message, undefined, secrets), retryable: true }
}

const urlOf = (input: Parameters<typeof fetch>[0]): URL => new URL(typeof input === 'string' || input instanceof URL ? input : input.url)

/** A JSON error answer made here, kept like the server's own error bodies so the recorded message says what happened. */
function madeError(status: number, message: string, rawBodies: WeakMap<Headers, string>): Response {
  const text = JSON.stringify({ error: { message } })
  const response = new Response(text, { status, headers: { 'content-type': 'application/json' } })
  rawBodies.set(response.headers, text)
  return response
}

/**
 * The fetch the SDK uses. Redirects are followed only within the origin they start from: Node's fetch drops the
 * Authorization header on a redirect to another origin, but would still send the conversation there, and any other
 * header the server wants the key in. A redirect elsewhere is answered with an error naming where it pointed. The text
 * of every error response is kept, keyed by the headers object openai-node hands to its APIError, because the SDK drops
 * bodies without a top-level `error` key (Gemini's array, vLLM's legacy shape).
 */
function guardedFetch(rawBodies: WeakMap<Headers, string>, maxReplyBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await followWithinOrigin(input, init, rawBodies)
    // An error answer is already read there (its first megabyte); its headers are the key to its kept text.
    return response.ok ? limitBody(response, maxReplyBytes) : response
  }
}

/** The fetch of a request, with redirects followed within its origin and error bodies kept (see guardedFetch). */
async function followWithinOrigin(input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1], rawBodies: WeakMap<Headers, string>): Promise<Response> {
  let url = urlOf(input)
  let request: RequestInit = { ...init, redirect: 'manual' }
  let response = await fetch(url, request)
  for (let hop = 0; response.status >= 300 && response.status < 400 && response.headers.has('location'); hop++) {
    await response.body?.cancel()
    const next = new URL(response.headers.get('location') as string, url)
    if (next.origin !== url.origin) {
      return madeError(response.status, `${url.origin} redirected the request to another origin (${next.origin}); not followed, so neither the key nor the conversation was sent there: if that is the server, make it the model's base URL`, rawBodies)
    }
    if (hop === 5) {
      return madeError(response.status, `more than 5 redirects from ${url.href}`, rawBodies)
    }
    // 303, and 301/302 after a POST, continue as a GET without a body, as fetch itself does.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && request.method === 'POST')) {
      request = { ...request, method: 'GET', body: null }
    }
    url = next
    response = await fetch(url, request)
  }
  if (response.ok) {
    return response
  }
  // An error page is read to be classified: its first megabyte, which is where any server says what went wrong.
  const text = await readPrefix(response, 1024 * 1024)
  const copy = new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers })
  rawBodies.set(copy.headers, text)
  return copy
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code
    return ` (${code ?? cause.message})`
  }
  return ''
}

/** Creates a client for one model. The key is held in the SDK instance only. */
export function createClient(spec: ModelSpec, options: ClientOptions): ModelClient {
  const secrets = options.apiKey ? [options.apiKey] : []
  const rawBodies = new WeakMap<Headers, string>()
  const timeoutMs = spec.requestTimeoutMs ?? 300_000
  const space = replySpace(spec.key, spec.model, options.baseURL)
  const sdk = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey || 'not-needed',
    maxRetries: 0,
    // The exchange's own timer (attempt) bounds it, body included; the SDK's, cleared once headers arrive, is a backstop.
    timeout: timeoutMs + 1000,
    fetch: guardedFetch(rawBodies, options.maxReplyBytes ?? defaultMaxReplyBytes),
    // The SDK logs unparseable stream data to the console as is; the classified, redacted error is what gets recorded.
    logLevel: 'off',
  })
  const retries = options.retries ?? 3
  const backoffMs = options.backoffMs ?? 500
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000

  /** One HTTP exchange. `spend` is told its duration, whatever its outcome; `leftMs` is the budget left for it. */
  async function attempt(body: Record<string, unknown>, headers: Record<string, string>, outer: AbortSignal | undefined, leftMs: number | undefined, spend: (ms: number) => void): Promise<Omit<CompletionResult, 'retries' | 'activeMs'> & { raw: unknown }> {
    // A run that ends while it waits (its test timed out) stops waiting: it must not take a slot later for nobody.
    const release = options.acquire ? await options.acquire(outer) : undefined
    if (leftMs !== undefined && leftMs <= 0) {
      release?.()
      throw new BudgetExhaustedError(0)
    }
    // The budget's clock runs only while the exchange does: the slot is held, backoff is over. The request timeout
    // covers the whole exchange, the body or the stream included; whichever runs out first says why the call ended.
    const budget = new AbortController()
    const deadline = new AbortController()
    let first: AbortController | undefined
    const timer = leftMs === undefined
      ? undefined
      : setTimeout(() => {
          first ??= budget
          budget.abort(new BudgetExhaustedError(leftMs))
        }, leftMs)
    const deadlineTimer = setTimeout(() => {
      first ??= deadline
      deadline.abort(new RequestTimeoutError(timeoutMs))
    }, timeoutMs)
    const signal = AbortSignal.any(outer ? [outer, budget.signal, deadline.signal] : [budget.signal, deadline.signal])
    const started = performance.now()
    try {
      if (body.stream) {
        const stream = await sdk.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming, { signal, headers })
        const chunks: unknown[] = []
        let firstChunkMs: number | undefined
        let ttftMs: number | undefined
        for await (const chunk of stream) {
          firstChunkMs ??= performance.now() - started
          // The first token is the first chunk with output: servers often send an empty role-only chunk first.
          if (ttftMs === undefined && chunkHasOutput(chunk)) {
            ttftMs = performance.now() - started
          }
          chunks.push(chunk)
        }
        const latencyMs = performance.now() - started
        ttftMs ??= firstChunkMs
        // A key the server echoes back goes no further than here: not into the transcript, the cache or a message.
        redactStreamChunks(chunks, secrets)
        return { reply: redactCompletion(accumulateStream(chunks), secrets), raw: chunks, latencyMs, ...(ttftMs === undefined ? {} : { ttftMs }) }
      }
      const reply: unknown = redactJson(await sdk.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, { signal, headers }) as unknown, secrets)
      const latencyMs = performance.now() - started
      const failure = replyError(reply)
      if (failure) {
        throw new StreamError(failure.message, failure.body)
      }
      return { reply: redactCompletion(normalizeCompletion(reply), secrets), raw: reply, latencyMs }
    }
    catch (error) {
      if (first && !outer?.aborted) {
        throw first.signal.reason as BudgetExhaustedError | RequestTimeoutError
      }
      throw error
    }
    finally {
      clearTimeout(timer)
      clearTimeout(deadlineTimer)
      spend(performance.now() - started)
      release?.()
    }
  }

  return {
    async complete(request, signal, budget) {
      const body = buildRequestBody(spec, request)
      const headers: Record<string, string> = spec.server === 'reference' && request.taskId !== undefined ? { 'x-milo-task': request.taskId } : {}
      // The embedded reference models answer from the suite as it is now (a task's solution, by its id): a reply kept
      // from before an edit of the suite, or from another suite's task of the same prompt, would answer for the wrong one.
      const cache = options.cache?.mode === 'off' || spec.server === 'reference' ? undefined : options.cache
      const key = cache ? cacheKey(body, request.repeat ?? 0) : ''
      if (cache) {
        let hit
        try {
          hit = cache.read(key, space)
        }
        catch (error) {
          if (error instanceof CacheMissError) {
            throw new ModelCallError(recordError('cache_miss', error.message, undefined, []), 0)
          }
          throw error
        }
        // A replayed call costs the budget what it cost when recorded, so a replay ends where the recorded run did.
        if (hit?.exhaustedAfterMs !== undefined && budget && budget.remainingMs <= hit.exhaustedAfterMs) {
          throw new BudgetExhaustedError(budget.remainingMs)
        }
        if (hit?.body !== undefined && hit.exhaustedAfterMs === undefined) {
          const activeMs = hit.activeMs ?? hit.latencyMs
          if (budget && activeMs > budget.remainingMs) {
            throw new BudgetExhaustedError(budget.remainingMs)
          }
          // Recordings made before replies were redacted may still hold an echoed key.
          const reply = redactCompletion(hit.streamed ? accumulateStream(hit.body as unknown[]) : normalizeCompletion(hit.body), secrets)
          return { reply, latencyMs: hit.latencyMs, activeMs, ...(hit.ttftMs === undefined ? {} : { ttftMs: hit.ttftMs }), retries: 0, cached: true }
        }
        if (hit && cache.mode === 'strict') {
          throw new ModelCallError(recordError('cache_miss', `the recording of this call ran out of a ${hit.exhaustedAfterMs} ms budget; this run allows more (${budget?.remainingMs ?? 'no'} ms): record it again with MILO_CACHE=record`, undefined, []), 0)
        }
      }
      let activeMs = 0
      const spend = (ms: number): void => {
        activeMs += ms
      }
      const left = (): number | undefined => (budget ? budget.remainingMs - activeMs : undefined)
      let attempts = 0
      let failures = 0
      let lastError: { recorded: RecordedError, retryable: boolean, headers?: Headers } | undefined
      try {
        const result = await pRetry(async () => {
          attempts++
          try {
            return await attempt(body, headers, signal, left(), spend)
          }
          catch (error) {
            if (signal?.aborted) {
              throw new AbortError(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
            }
            if (error instanceof BudgetExhaustedError) {
              throw new AbortError(error)
            }
            lastError = classify(error, secrets, rawBodies)
            if (!lastError.retryable) {
              throw new AbortError(lastError.recorded.message)
            }
            throw new Error(lastError.recorded.message)
          }
        }, {
          retries,
          minTimeout: 0,
          maxTimeout: 0,
          signal,
          onFailedAttempt: async ({ retriesLeft }) => {
            failures++
            if (retriesLeft > 0) {
              const asked = retryAfterMs(lastError?.headers, Date.now())
              const wait = asked !== undefined && asked <= maxRetryAfterMs ? asked : Math.min(backoffMs * 2 ** (failures - 1), 8000)
              await sleep(wait, signal)
            }
          },
        })
        const { raw, ...completion } = result
        if (budget && activeMs > budget.remainingMs) {
          // The reply came in after the budget had run out (on a busy machine the abort timer fires late): it does
          // not count, here as in a replay of the recording, which refuses a call that cost more than was left.
          throw new BudgetExhaustedError(budget.remainingMs)
        }
        cache?.write(key, space, { body: raw as never, streamed: Boolean(body.stream), latencyMs: completion.latencyMs, activeMs, ...(completion.ttftMs === undefined ? {} : { ttftMs: completion.ttftMs }) })
        return { ...completion, activeMs, retries: attempts - 1 }
      }
      catch (error) {
        if (signal?.aborted) {
          throw signal.reason instanceof Error ? signal.reason : new Error('aborted')
        }
        // p-retry rethrows an aborting error itself, so a call that ran out of budget arrives here as it was thrown.
        if (error instanceof BudgetExhaustedError && budget) {
          // Remember that this call outlasted the budget it had, so a replay with the same budget ends here too.
          cache?.write(key, space, { exhaustedAfterMs: budget.remainingMs, streamed: Boolean(body.stream), latencyMs: 0 })
          throw new BudgetExhaustedError(activeMs)
        }
        const recorded = lastError?.recorded ?? classify(error, secrets).recorded
        throw new ModelCallError(recorded, Math.max(0, attempts - 1))
      }
    },
  }
}
