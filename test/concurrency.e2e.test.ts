// A model entry's concurrency holds across every spec file and worker: counted at the server as requests in flight;
// and the slot server that enforces it, on its own.

import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { startSlotServer } from '../src/node/slot-server.ts'
import { acquireSlot } from '../src/runtime/slots.ts'
import { useReferenceServer } from './support/reference-server.ts'
import { runBench } from './support/run-bench.ts'

describe('concurrency per model', () => {
  const server = useReferenceServer()

  it('a local server that serves one request at a time never sees two, across spec files and workers', async () => {
    const model = 'oracle,latency=15'
    const run = await runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: server.url, MILO_MODEL: model, MILO_CONCURRENCY: '1', MILO_WORKERS: '4' })
    expect(run.code, run.output).toBe(0)
    expect(server.requests.get(model)).toBeGreaterThan(20)
    expect(server.peakInFlight.get(model)).toBe(1)
  })

  it('a model allowed N runs up to N wide, never more', async () => {
    const model = 'oracle,latency=16'
    const run = await runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: server.url, MILO_MODEL: model, MILO_CONCURRENCY: '6', MILO_WORKERS: '4' })
    expect(run.code, run.output).toBe(0)
    expect(server.peakInFlight.get(model)).toBeGreaterThan(2)
    expect(server.peakInFlight.get(model)).toBeLessThanOrEqual(6)
  })
})

describe('the slot server', () => {
  const settled = async (promise: Promise<unknown>): Promise<boolean> => {
    const marker = Symbol('pending')
    return await Promise.race([promise, new Promise(resolve => setTimeout(() => resolve(marker), 100))]) !== marker
  }

  it('hands out N slots of a model, queues the rest in order, and a release lets the next one in', async () => {
    const slots = await startSlotServer({ m: 2 })
    try {
      const first = await acquireSlot(slots.url, 'm')
      await acquireSlot(slots.url, 'm')
      const third = acquireSlot(slots.url, 'm')
      const fourth = acquireSlot(slots.url, 'm')
      expect(await settled(third)).toBe(false)
      first()
      first() // a second release of the same slot gives back nothing more
      expect(await settled(third)).toBe(true)
      expect(await settled(fourth)).toBe(false)
      expect(slots.peaks.get('m')).toBe(2)
      // Another model's slots are its own.
      expect(await settled(acquireSlot(slots.url, 'other model'))).toBe(true)
    }
    finally {
      await slots.close()
    }
  })

  it('a worker that dies gives back the slots it held and leaves the queue; releasing what it never held frees nothing', async () => {
    const slots = await startSlotServer({ m: 1 })
    const { port, username: token } = new URL(slots.url)
    const worker = connect({ host: '127.0.0.1', port: Number(port) })
    try {
      const granted = new Promise<string>(resolve => worker.once('data', chunk => resolve(chunk.toString())))
      worker.write(`hello ${token}\nacquire 7 m\n`)
      expect(await granted).toBe('granted 7\n')
      const stranger = connect({ host: '127.0.0.1', port: Number(port) })
      // A line no worker sends (a key that is not URI-encoded) is ignored, not thrown in the main process.
      stranger.write(`hello ${token}\nacquire 1 %\nrelease %E0%A4%A\nrelease m\n`)
      const waiting = acquireSlot(slots.url, 'm')
      expect(await settled(waiting)).toBe(false)
      stranger.destroy()
      worker.destroy()
      expect(await settled(waiting)).toBe(true)
      expect(slots.peaks.get('m')).toBe(1)
    }
    finally {
      worker.destroy()
      await slots.close()
    }
  })

  it('a slot server that is gone fails the wait with its address, instead of hanging', async () => {
    const slots = await startSlotServer({ m: 1 })
    await acquireSlot(slots.url, 'm')
    const waiting = acquireSlot(slots.url, 'm')
    await slots.close()
    const { host } = new URL(slots.url)
    await expect(waiting).rejects.toThrow(`the concurrency slot server at ${host} `)
  })

  it('only the run\'s workers take slots: a connection without the server\'s token is closed, having taken nothing', async () => {
    const slots = await startSlotServer({ m: 1 })
    const { port, username: token } = new URL(slots.url)
    try {
      for (const hello of ['', 'hello wrong-token\n', `hello ${token.slice(0, -1)}\n`, 'x'.repeat(200)]) {
        const intruder = connect({ host: '127.0.0.1', port: Number(port) })
        const closed = new Promise<string>((resolve) => {
          let heard = ''
          intruder.on('data', (chunk) => { heard += chunk.toString() })
          intruder.on('close', () => resolve(heard))
          intruder.on('error', () => {})
        })
        intruder.write(`${hello}acquire 1 m\nacquire 2 m\n`)
        // no grant, and the connection ends
        expect(await closed, JSON.stringify(hello)).toBe('')
      }
      // the slot is still free for a worker that has the token
      expect(await settled(acquireSlot(slots.url, 'm'))).toBe(true)
      expect(slots.peaks.get('m')).toBe(1)
    }
    finally {
      await slots.close()
    }
  })
})
