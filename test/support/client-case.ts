// What tests of the client and the scoring share: a model spec (a test that calls a server gives the client that
// server's URL), a one-message request, and the servers a test started, closed after it however it ended.

import type { ModelSpec } from '../../src/core/types.ts'
import { afterEach } from 'vitest'

export const testModel: ModelSpec = { key: 'm', name: 'M', model: 'm', baseURL: 'x', server: 'vllm', where: 'local', context: { label: '128K', tokens: 131072 } }

export const hiRequest = { messages: [{ role: 'user' as const, content: 'hi' }], tools: [] }

/** A list to push each server's close onto: every entry is called (and emptied) after each test of the file. */
export function closedAfterEach(): (() => Promise<void>)[] {
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(closers.splice(0).map(close => close()))
  })
  return closers
}
