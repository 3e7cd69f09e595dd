// A loopback HTTP server that answers chat completions from a script of faults, for client and fault tests.
// Each request takes the next step of the script; when the script runs out, it answers with a normal reply.

import type { AddressInfo, Socket } from 'node:net'
import { createServer } from 'node:http'

export type FaultStep =
  | { status: number, body?: unknown, headers?: Record<string, string> }
  | { reset: true }
  | { hang: true }
  | { raw: string, status?: number, headers?: Record<string, string> }
  | { sse: string[] }
  | { reply: unknown, delayMs?: number }

export interface FaultServer {
  url: string
  /** Requests received, with their parsed bodies and headers. */
  requests: { body: Record<string, unknown>, headers: Record<string, string | string[] | undefined>, at: number }[]
  close: () => Promise<void>
}

export const okReply = (content = 'ok', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'x', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content, ...extra }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
})

export async function startFaultServer(script: FaultStep[], fallback: unknown = okReply()): Promise<FaultServer> {
  const requests: FaultServer['requests'] = []
  const sockets = new Set<Socket>()
  const server = createServer((request, response) => {
    const parts: Buffer[] = []
    request.on('data', (part: Buffer) => parts.push(part))
    request.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8')
      requests.push({ body: text ? JSON.parse(text) as Record<string, unknown> : {}, headers: request.headers, at: performance.now() })
      if (request.method === 'GET') {
        response.end(JSON.stringify({ object: 'list', data: [] }))
        return
      }
      const step = script.shift() ?? { reply: fallback }
      if ('reset' in step) {
        request.socket.destroy()
      }
      else if ('hang' in step) {
        // never answers; the client's timeout or abort must end it
      }
      else if ('raw' in step) {
        response.writeHead(step.status ?? 200, { 'content-type': 'application/json', ...step.headers })
        response.end(step.raw)
      }
      else if ('sse' in step) {
        response.writeHead(200, { 'content-type': 'text/event-stream' })
        response.end(step.sse.join(''))
      }
      else if ('reply' in step) {
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/json' })
          response.end(JSON.stringify(step.reply))
        }, step.delayMs ?? 0)
      }
      else {
        response.writeHead(step.status, { 'content-type': 'application/json', ...step.headers })
        response.end(step.body === undefined ? '' : JSON.stringify(step.body))
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
