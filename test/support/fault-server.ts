// A loopback HTTP server that answers chat completions from a script of faults, for client, fault and secrets tests.
// Each POST takes the next step of the script; when the script runs out it answers with `options.after` if given, else
// forwards to `options.upstream` (a reference server, so a benchmark run through it can succeed), else the fallback reply.

import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createServer } from 'node:http'

/**
 * One scripted answer. In `body`, `raw`, `sse` and `reply`, the text `{{authorization}}` is replaced by the request's
 * Authorization header, the way careless servers echo the key they were sent into error messages; `{{key}}` by the key
 * alone, and `{{key:A:B}}` by its characters A to B (a model repeating part of a key it saw).
 */
export type FaultStep =
  /** An HTTP status with a JSON body (any shape: object, array, string) and headers, e.g. `retry-after`. */
  | { status: number, body?: unknown, headers?: Record<string, string> }
  /** The connection is destroyed before any answer. */
  | { reset: true }
  /** Never answers; the client's timeout or abort must end it. */
  | { hang: true }
  /** A body sent as is (malformed JSON, HTML). */
  | { raw: string, status?: number, headers?: Record<string, string> }
  /** A 200 body announced longer than it is: part of `truncate` is sent, then the connection is destroyed. */
  | { truncate: string, status?: number }
  /**
   * An SSE stream of these frames, written as given, `gapMs` apart (default all at once); `cut` destroys the connection
   * after them instead of ending cleanly.
   */
  | { sse: string[], cut?: boolean, gapMs?: number }
  /**
   * A normal reply (a chat-completion body), after `delayMs`; sent as SSE chunks when the request asked for a stream,
   * its content, reasoning and arguments in pieces of `fragment` characters when given (as servers stream tokens).
   */
  | { reply: unknown, delayMs?: number, fragment?: number }
  /** The status line and headers (200, JSON), then `partial` of a body, if any, and nothing more: a body that stalls. */
  | { stall: true, partial?: string }
  /** An SSE stream's headers, then one byte (an SSE comment line's `:`) every `gapMs`, never finishing. */
  | { trickle: true, gapMs: number }
  /** A redirect (`status` 301, 302, 307 or 308) to `location`. */
  | { redirect: string, status?: number }

interface ReceivedRequest {
  method: string
  path: string
  body: Record<string, unknown>
  headers: IncomingHttpHeaders
  at: number
}

export interface FaultServerOptions {
  /** The answer to GET /models (preflight): default 200 with an empty list. */
  models?: { status: number, body?: unknown, headers?: Record<string, string> }
  /** The step served to every POST once the script has run out (a permanent fault). */
  after?: FaultStep
  /** A base URL (ending in /v1) to forward POSTs to once the script has run out, when `after` is not given. */
  upstream?: string
}

export interface FaultServer {
  url: string
  /** Requests received (GET /models included), with their parsed bodies and headers. */
  requests: ReceivedRequest[]
  close: () => Promise<void>
}

export const okReply = (content = 'ok', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'x', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content, ...extra }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
})

/**
 * SSE frames of a chat-completion body, as a server streams it: role, reasoning, content, each call (whole, or its
 * arguments in pieces of `fragment` characters), finish, usage, [DONE].
 */
function sseOf(reply: unknown, fragment?: number): string[] {
  const body = reply as { id?: string, model?: string, choices?: { message?: { content?: string | null, reasoning_content?: string, tool_calls?: { id: string, function: { name: string, arguments: string } }[] }, finish_reason?: string }[], usage?: unknown }
  const choice = body.choices?.[0]
  const base = { id: body.id ?? 'x', object: 'chat.completion.chunk', created: 0, model: body.model ?? 'm' }
  const chunk = (delta: unknown, finish: string | null = null): unknown => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })
  const pieces = (text: string): string[] => (fragment ? text.match(new RegExp(`[\\s\\S]{1,${fragment}}`, 'g')) ?? [] : [text])
  const chunks = [chunk({ role: 'assistant', content: '' })]
  for (const piece of choice?.message?.reasoning_content ? pieces(choice.message.reasoning_content) : []) {
    chunks.push(chunk({ reasoning_content: piece }))
  }
  for (const piece of choice?.message?.content ? pieces(choice.message.content) : []) {
    chunks.push(chunk({ content: piece }))
  }
  for (const [index, call] of (choice?.message?.tool_calls ?? []).entries()) {
    if (fragment) {
      chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }))
      for (const piece of pieces(call.function.arguments)) {
        chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }))
      }
    }
    else {
      chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: call.function }] }))
    }
  }
  chunks.push(chunk({}, choice?.finish_reason ?? 'stop'))
  if (body.usage) {
    chunks.push({ ...base, choices: [], usage: body.usage })
  }
  return [...chunks.map(c => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n']
}

export async function startFaultServer(script: FaultStep[], fallback: unknown = okReply(), options: FaultServerOptions = {}): Promise<FaultServer> {
  const requests: ReceivedRequest[] = []
  const sockets = new Set<Socket>()
  const server = createServer((request, response) => {
    const parts: Buffer[] = []
    request.on('data', (part: Buffer) => parts.push(part))
    request.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8')
      let body: Record<string, unknown> = {}
      try {
        body = text ? JSON.parse(text) as Record<string, unknown> : {}
      }
      catch {
        // recorded with an empty body; the step still answers
      }
      const path = (request.url ?? '').replace(/\/+$/, '')
      requests.push({ method: request.method ?? '', path, body, headers: request.headers, at: performance.now() })
      const auth = String(request.headers.authorization ?? '')
      const key = auth.replace(/^Bearer /, '')
      const echo = (value: string): string => value.split('{{authorization}}').join(auth).split('{{key}}').join(key)
        .replace(/\{\{key:(\d+):(\d+)\}\}/g, (_, from: string, to: string) => key.slice(Number(from), Number(to)))
      if (request.method === 'GET') {
        const models = options.models ?? { status: 200, body: { object: 'list', data: [] } }
        response.writeHead(models.status, { 'content-type': 'application/json', ...models.headers })
        response.end(models.body === undefined ? '' : echo(JSON.stringify(models.body)))
        return
      }
      const next = script.shift() ?? options.after
      if (!next && options.upstream) {
        void forward(options.upstream, text, response)
        return
      }
      const step = next ?? { reply: fallback }
      if ('reset' in step) {
        request.socket.destroy()
      }
      else if ('hang' in step) {
        // never answers; close() destroys the socket
      }
      else if ('raw' in step) {
        response.writeHead(step.status ?? 200, { 'content-type': 'application/json', ...step.headers })
        response.end(echo(step.raw))
      }
      else if ('truncate' in step) {
        const payload = Buffer.from(echo(step.truncate))
        response.writeHead(step.status ?? 200, { 'content-type': 'application/json', 'content-length': String(payload.length * 2) })
        response.write(payload.subarray(0, Math.ceil(payload.length / 2)))
        setTimeout(() => request.socket.destroy(), 20)
      }
      else if ('sse' in step) {
        response.writeHead(200, { 'content-type': 'text/event-stream' })
        void (async () => {
          for (const frame of step.sse) {
            response.write(echo(frame))
            if (step.gapMs) {
              await new Promise(resolve => setTimeout(resolve, step.gapMs))
            }
          }
          if (step.cut) {
            setTimeout(() => request.socket.destroy(), 20)
          }
          else {
            response.end()
          }
        })()
      }
      else if ('reply' in step) {
        const reply = JSON.parse(echo(JSON.stringify(step.reply))) as unknown
        setTimeout(() => {
          if (body.stream === true) {
            response.writeHead(200, { 'content-type': 'text/event-stream' })
            response.end(sseOf(reply, step.fragment).join(''))
          }
          else {
            response.writeHead(200, { 'content-type': 'application/json' })
            response.end(JSON.stringify(reply))
          }
        }, step.delayMs ?? 0)
      }
      else if ('stall' in step) {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.flushHeaders()
        if (step.partial) {
          response.write(step.partial)
        }
        // never ends; close() destroys the socket
      }
      else if ('trickle' in step) {
        response.writeHead(200, { 'content-type': 'text/event-stream' })
        response.flushHeaders()
        const timer = setInterval(() => response.write(':'), step.gapMs)
        response.on('close', () => clearInterval(timer))
      }
      else if ('redirect' in step) {
        response.writeHead(step.status ?? 307, { location: step.redirect })
        response.end()
      }
      else {
        response.writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
        response.end(step.body === undefined ? '' : echo(JSON.stringify(step.body)))
      }
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) {
        socket.destroy()
      }
      server.close(() => resolve())
    }),
  }
}

/** Sends a POST on to the upstream server and its answer back, status, type and body unchanged. */
async function forward(upstream: string, body: string, response: ServerResponse): Promise<void> {
  try {
    const answer = await fetch(`${upstream.replace(/\/+$/, '')}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
    response.end(Buffer.from(await answer.arrayBuffer()))
  }
  catch (error) {
    response.writeHead(502, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ error: { message: `fault server: upstream failed: ${(error as Error).message}` } }))
  }
}
