// The embedded reference server in tests. Files that only need its URL share one per worker (a worker-scoped fixture,
// `e2e`); a file that counts its requests or gives it scripts starts its own (useReferenceServer).

import type { ReferenceServer, ReferenceServerOptions } from '../../src/node/reference-server.ts'
import { afterAll, beforeAll, test } from 'vitest'
import { suites } from '../../fixtures/suites.ts'
import { startReferenceServer } from '../../src/node/reference-server.ts'

/**
 * Registers the server's hooks where it is called and returns it. Its fields are read once the server is up: in a
 * test, or in a beforeAll registered after this call (before-hooks run in the order they are registered; the server
 * closes after the after-hooks registered later). `options` default to the built-in suites, as most files want.
 */
export function useReferenceServer(options: Partial<ReferenceServerOptions> = {}): ReferenceServer {
  let server: ReferenceServer | undefined
  beforeAll(async () => {
    server = await startReferenceServer({ suites, ...options })
  })
  afterAll(async () => {
    await server?.close()
  })
  const started = (): ReferenceServer => {
    if (!server) {
      throw new Error('the reference server starts in beforeAll: read it in a test or a later hook, not while the file is collected')
    }
    return server
  }
  return {
    get url() { return started().url },
    get requests() { return started().requests },
    get peakInFlight() { return started().peakInFlight },
    get prompts() { return started().prompts },
    get activity() { return started().activity },
    close: () => started().close(),
  }
}

/** The test API with `reference`: the built-in suites' reference server, one per worker, closed when the worker ends. */
export const e2e = test.extend('reference', { scope: 'worker' }, async ({}, { onCleanup }) => {
  const server = await startReferenceServer({ suites })
  onCleanup(() => server.close())
  return server
})

/**
 * The worker's shared reference server (the `reference` fixture), for a file whose helpers and hooks need its URL:
 * read in a test or a later hook. Other files send it requests too, so it offers no counts.
 */
export function sharedReferenceServer(): Pick<ReferenceServer, 'url'> {
  let server: ReferenceServer | undefined
  e2e.beforeAll(({ reference }) => {
    server = reference
  })
  return {
    get url() {
      if (!server) {
        throw new Error('the shared reference server is handed over in beforeAll: read it in a test or a later hook')
      }
      return server.url
    },
  }
}
