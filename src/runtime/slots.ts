// A worker's side of the concurrency slots: wait for a slot of a model from the main process's slot server
// (src/node/slot-server.ts, which describes the protocol) before a model call, give it back after. One socket per
// worker carries every slot it takes, so a slot costs a line each way instead of an HTTP exchange.

import type { Socket } from 'node:net'
import { connect } from 'node:net'

interface Connection {
  socket: Socket
  pending: Map<string, { resolve: () => void, reject: (error: Error) => void }>
  next: number
}

const connections = new Map<string, Connection>()

function connection(url: string): Connection {
  const open = connections.get(url)
  if (open) {
    return open
  }
  const { hostname, port } = new URL(url)
  const socket = connect({ host: hostname, port: Number(port) })
  socket.setNoDelay(true)
  // The socket must not keep a worker alive once its tests are done.
  socket.unref()
  socket.setEncoding('utf8')
  const made: Connection = { socket, pending: new Map(), next: 0 }
  let buffered = ''
  socket.on('data', (chunk: string) => {
    buffered += chunk
    let end = buffered.indexOf('\n')
    while (end !== -1) {
      const [verb, id = ''] = buffered.slice(0, end).split(' ')
      buffered = buffered.slice(end + 1)
      end = buffered.indexOf('\n')
      if (verb === 'granted') {
        made.pending.get(id)?.resolve()
        made.pending.delete(id)
      }
    }
  })
  const fail = (reason: string): void => {
    if (connections.get(url) === made) {
      connections.delete(url)
    }
    for (const waiter of made.pending.values()) {
      waiter.reject(new Error(`the concurrency slot server at ${url} ${reason}`))
    }
    made.pending.clear()
  }
  socket.on('error', error => fail(`failed: ${error.message}`))
  socket.on('close', () => fail('closed the connection'))
  connections.set(url, made)
  return made
}

/** Waits for a slot for `key`; the returned function gives it back. Without a slot server, slots are unlimited. */
export async function acquireSlot(url: string | undefined, key: string): Promise<() => void> {
  if (!url) {
    return () => {}
  }
  const link = connection(url)
  const name = encodeURIComponent(key)
  const id = String(link.next++)
  // While a slot is awaited the socket must hold the process open: the grant is what the run is waiting for.
  link.socket.ref()
  try {
    await new Promise<void>((resolve, reject) => {
      link.pending.set(id, { resolve, reject })
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
