// The embedded reference server for one test file or describe block: started in beforeAll, closed in afterAll, so the
// 13 files that run the oracle against it do not each repeat the same setup and teardown.

import type { ReferenceServer, ReferenceServerOptions } from '../../src/node/reference-server.ts'
import { afterAll, beforeAll } from 'vitest'
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
