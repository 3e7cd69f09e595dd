// Concurrency slots shared by every Vitest worker (main process): a loopback server hands out at most N slots per
// model, so a local server that serves one request at a time never sees two, whichever spec file asks. Workers take
// them with src/runtime/slots.ts over one socket each, a line per message (src/protocol.ts has none of this: the
// two files are the protocol):
//
//   worker -> server   `acquire <id> <key>`   wait for a slot of `key` (URI-encoded); `id` pairs the grant with it
//   server -> worker   `granted <id>`
//   worker -> server   `release <key>`        give one slot of `key` back
//   worker -> server   `cancel <id> <key>`    stop waiting (the test ended first)
//   server -> worker   `cancelled <id>`       it was still waiting; no grant follows (else the grant was already
//                                              sent, and the worker gives that slot back)
//
// A worker that dies (its socket closes) gives back every slot it held and leaves every queue it waited in. The URL
// carries a token made for this server (`tcp://<token>@127.0.0.1:<port>`): a connection's first line must be
// `hello <token>`, or the server closes it, so no other local process can take or hold the run's slots.

import type { AddressInfo, Socket } from 'node:net'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:net'

interface Waiter {
  socket: Socket
  id: string
}

interface Pool {
  limit: number
  busy: number
  waiting: Waiter[]
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
  /** Slots each connection holds, per key, to give back when it closes. */
  const held = new Map<Socket, Map<string, number>>()
  const pool = (key: string): Pool => {
    let found = pools.get(key)
    if (!found) {
      const limit = limits[key] ?? 4
      found = { limit: Number.isFinite(limit) ? Math.max(1, limit) : 1, busy: 0, waiting: [] }
      pools.set(key, found)
    }
    return found
  }
  const grant = (key: string, p: Pool, waiter: Waiter): void => {
    p.busy++
    peaks.set(key, Math.max(peaks.get(key) ?? 0, p.busy))
    const mine = held.get(waiter.socket)
    mine?.set(key, (mine.get(key) ?? 0) + 1)
    waiter.socket.write(`granted ${waiter.id}\n`)
  }
  const release = (socket: Socket, key: string, count: number): void => {
    const p = pool(key)
    const mine = held.get(socket)
    const owned = Math.min(count, mine?.get(key) ?? 0)
    mine?.set(key, (mine.get(key) ?? 0) - owned)
    p.busy = Math.max(0, p.busy - owned)
    for (let next = p.busy < p.limit ? p.waiting.shift() : undefined; next; next = p.busy < p.limit ? p.waiting.shift() : undefined) {
      grant(key, p, next)
    }
  }
  const decode = (text: string): string | undefined => {
    try {
      return decodeURIComponent(text)
    }
    catch {
      return undefined // not a key this protocol sends: the line is ignored
    }
  }
  const message = (socket: Socket, line: string): void => {
    const [verb, first = '', second = ''] = line.split(' ')
    const key = decode(verb === 'acquire' || verb === 'cancel' ? second : first)
    if (key === undefined) {
      return
    }
    if (verb === 'acquire') {
      const p = pool(key)
      const waiter = { socket, id: first }
      if (p.busy < p.limit) {
        grant(key, p, waiter)
      }
      else {
        p.waiting.push(waiter)
      }
    }
    else if (verb === 'release') {
      release(socket, key, 1)
    }
    else if (verb === 'cancel') {
      const p = pool(key)
      const at = p.waiting.findIndex(waiter => waiter.socket === socket && waiter.id === first)
      if (at !== -1) {
        p.waiting.splice(at, 1)
        socket.write(`cancelled ${first}\n`)
      }
    }
  }
  const token = randomBytes(16).toString('hex')
  const greeting = Buffer.from(`hello ${token}`)
  const server = createServer((socket) => {
    socket.setNoDelay(true)
    held.set(socket, new Map())
    let buffered = ''
    let greeted = false
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffered += chunk
      let end = buffered.indexOf('\n')
      while (end !== -1) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 1)
        end = buffered.indexOf('\n')
        if (!greeted) {
          const said = Buffer.from(line)
          if (said.length !== greeting.length || !timingSafeEqual(said, greeting)) {
            socket.destroy()
            return
          }
          greeted = true
          continue
        }
        message(socket, line)
      }
      // a stranger sending no line end may not grow the buffer without bound
      if (!greeted && buffered.length > greeting.length) {
        socket.destroy()
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      for (const p of pools.values()) {
        p.waiting = p.waiting.filter(waiter => waiter.socket !== socket)
      }
      for (const [key, count] of held.get(socket) ?? []) {
        release(socket, key, count)
      }
      held.delete(socket)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `tcp://${token}@127.0.0.1:${String(port)}`,
    peaks,
    close: () => new Promise<void>((resolve) => {
      for (const socket of held.keys()) {
        socket.destroy()
      }
      server.close(() => resolve())
    }),
  }
}
