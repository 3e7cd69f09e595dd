// Concurrency slots shared by every Vitest worker (main process): a loopback server hands out at most N slots per
// model, so a local server that serves one request at a time never sees two, whichever spec file asks. Workers take
// them with src/runtime/slots.ts.

import type { AddressInfo } from 'node:net'
import { createServer } from 'node:http'

interface Pool {
  limit: number
  busy: number
  waiting: (() => void)[]
}

export interface SlotServer {
  url: string
  /** Most slots ever held at once, per model key (for tests). */
  peaks: Map<string, number>
  close: () => Promise<void>
}

/** Starts the slot server on a free loopback port. `limits` maps model keys to their concurrency. */
export async function startSlotServer(limits: Record<string, number>): Promise<SlotServer> {
  const pools = new Map<string, Pool>()
  const peaks = new Map<string, number>()
  const pool = (key: string): Pool => {
    let found = pools.get(key)
    if (!found) {
      const limit = limits[key] ?? 4
      found = { limit: Number.isFinite(limit) ? Math.max(1, limit) : 1, busy: 0, waiting: [] }
      pools.set(key, found)
    }
    return found
  }
  const server = createServer((request, response) => {
    const [, action, key = ''] = (request.url ?? '').split('/')
    const p = pool(decodeURIComponent(key))
    if (action === 'acquire') {
      const grant = (): void => {
        p.busy++
        peaks.set(key, Math.max(peaks.get(key) ?? 0, p.busy))
        response.end('ok')
      }
      if (p.busy < p.limit) {
        grant()
      }
      else {
        p.waiting.push(grant)
        // A worker that dies while queued must not take a slot with it.
        request.socket.once('close', () => {
          const at = p.waiting.indexOf(grant)
          if (at !== -1) {
            p.waiting.splice(at, 1)
          }
        })
      }
      return
    }
    if (action === 'release') {
      p.busy = Math.max(0, p.busy - 1)
      p.waiting.shift()?.()
      response.end('ok')
      return
    }
    response.statusCode = 404
    response.end()
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    peaks,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
