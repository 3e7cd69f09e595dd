// A worker's side of the concurrency slots: wait for a slot of a model from the main process's slot server
// (src/node/slot-server.ts, which describes the protocol) before a model call, give it back after. One socket per
// worker carries every slot it takes, so a slot costs a line each way instead of an HTTP exchange.

import type { Socket } from 'node:net'
import { connect } from 'node:net'

interface Connection {
  socket: Socket
  pending: Map<string, { resolve: () => void, reject: (error: Error) => void }>
  /** Waits given up (their keys), until the server says it dropped them or grants them anyway (then given back). */
  cancelled: Map<string, string>
  next: number
}

const connections = new Map<string, Connection>()

function connection(url: string): Connection {
  const open = connections.get(url)
  if (open) {
    return open
  }
  const { hostname, port, username } = new URL(url)
  const socket = connect({ host: hostname, port: Number(port) })
  socket.setNoDelay(true)
  // The server's token (in the URL the main process provided) comes first, or it closes the connection.
  socket.write(`hello ${username}\n`)
  // The socket must not keep a worker alive once its tests are done.
  socket.unref()
  socket.setEncoding('utf8')
  const made: Connection = { socket, pending: new Map(), cancelled: new Map(), next: 0 }
  let buffered = ''
  socket.on('data', (chunk: string) => {
    buffered += chunk
    let end = buffered.indexOf('\n')
    while (end !== -1) {
      const [verb, id = ''] = buffered.slice(0, end).split(' ')
      buffered = buffered.slice(end + 1)
      end = buffered.indexOf('\n')
      if (verb === 'granted') {
        const given = made.cancelled.get(id)
        if (given !== undefined) {
          // granted before the cancel arrived: nobody waits for it now
          made.cancelled.delete(id)
          socket.write(`release ${given}\n`)
        }
        made.pending.get(id)?.resolve()
        made.pending.delete(id)
      }
      else if (verb === 'cancelled') {
        made.cancelled.delete(id)
      }
    }
  })
  const fail = (reason: string): void => {
    if (connections.get(url) === made) {
      connections.delete(url)
    }
    for (const waiter of made.pending.values()) {
      waiter.reject(new Error(`the concurrency slot server at ${hostname}:${port} ${reason}`))
    }
    made.pending.clear()
  }
  socket.on('error', error => fail(`failed: ${error.message}`))
  socket.on('close', () => fail('closed the connection'))
  connections.set(url, made)
  return made
}

/**
 * Waits for a slot for `key`; the returned function gives it back. Without a slot server, slots are unlimited. An
 * aborted `signal` (the test timed out, the run was cancelled) stops the wait and rejects with its reason: the slot
 * is not taken later for nobody.
 */
export async function acquireSlot(url: string | undefined, key: string, signal?: AbortSignal): Promise<() => void> {
  if (!url) {
    return () => {}
  }
  signal?.throwIfAborted()
  const link = connection(url)
  const name = encodeURIComponent(key)
  const id = String(link.next++)
  // While a slot is awaited the socket must hold the process open: the grant is what the run is waiting for.
  link.socket.ref()
  try {
    await new Promise<void>((resolve, reject) => {
      const giveUp = (): void => {
        link.pending.delete(id)
        link.cancelled.set(id, name)
        link.socket.write(`cancel ${id} ${name}\n`)
        reject(signal?.reason instanceof Error ? signal.reason : new Error('the wait for a concurrency slot was aborted'))
      }
      link.pending.set(id, {
        resolve: () => {
          signal?.removeEventListener('abort', giveUp)
          resolve()
        },
        reject: (error) => {
          signal?.removeEventListener('abort', giveUp)
          reject(error)
        },
      })
      signal?.addEventListener('abort', giveUp, { once: true })
      link.socket.write(`acquire ${id} ${name}\n`)
    })
  }
  finally {
    if (link.pending.size === 0) {
      link.socket.unref()
    }
  }
  let released = false
  return () => {
    if (!released) {
      released = true
      if (!link.socket.destroyed) {
        link.socket.write(`release ${name}\n`)
      }
    }
  }
}
