// The concurrency slots across workers: a wait given up (its test timed out) takes no slot later, whether the server
// drops it from the queue or had already granted it.

import { describe, expect, it } from 'vitest'
import { startSlotServer } from '../src/node/slot-server.ts'
import { acquireSlot } from '../src/runtime/slots.ts'
import { closedAfterEach } from './support/client-case.ts'

const closers = closedAfterEach()

/** Resolves with 'granted', or 'waiting' when `ms` pass first. */
const within = (wait: Promise<unknown>, ms: number): Promise<'granted' | 'waiting'> =>
  Promise.race([wait.then(() => 'granted' as const), new Promise<'waiting'>(resolve => setTimeout(() => resolve('waiting'), ms))])

describe('acquireSlot with a signal', () => {
  it('an aborted wait leaves the queue: the slot goes to the next waiter, and the aborted call rejects with the reason', async () => {
    const slots = await startSlotServer({ m: 1 })
    closers.push(slots.close)
    const releaseFirst = await acquireSlot(slots.url, 'm')
    const controller = new AbortController()
    const abandoned = acquireSlot(slots.url, 'm', controller.signal)
    const next = acquireSlot(slots.url, 'm')
    controller.abort(new Error('test timed out'))
    await expect(abandoned).rejects.toThrow('test timed out')
    releaseFirst()
    // Without the cancel the queue's first waiter, whom nobody awaits now, would take the slot and hold it forever.
    expect(await within(next, 2000)).toBe('granted')
    expect(slots.peaks.get('m')).toBe(1)
  })

  it('a signal already aborted takes nothing and asks for nothing', async () => {
    const slots = await startSlotServer({ m: 1 })
    closers.push(slots.close)
    await expect(acquireSlot(slots.url, 'm', AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone')
    const release = await acquireSlot(slots.url, 'm')
    release()
    expect(slots.peaks.get('m')).toBe(1)
  })

  it('a wait aborted as its grant is on the way gives that slot back', async () => {
    const slots = await startSlotServer({ m: 1 })
    closers.push(slots.close)
    const releaseFirst = await acquireSlot(slots.url, 'm')
    const controller = new AbortController()
    const abandoned = acquireSlot(slots.url, 'm', controller.signal).catch(() => 'rejected')
    // Let the acquire line reach the server, then free the slot and abort in the same tick: the grant and the cancel
    // cross on the socket, and the worker side must give the granted slot back.
    await new Promise(resolve => setTimeout(resolve, 50))
    releaseFirst()
    controller.abort(new Error('late'))
    expect(await abandoned).toBe('rejected')
    expect(await within(acquireSlot(slots.url, 'm'), 2000)).toBe('granted')
  })
})
