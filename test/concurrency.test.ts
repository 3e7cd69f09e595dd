// A model entry's concurrency holds across every spec file and worker: counted at the server as requests in flight.

import type { ReferenceServer } from '../src/node/reference-server.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { startReferenceServer } from '../src/node/reference-server.ts'
import { runBench } from './support/run-bench.ts'

describe('concurrency per model', () => {
  let server: ReferenceServer
  beforeAll(async () => {
    server = await startReferenceServer({ suites })
  })
  afterAll(async () => {
    await server.close()
  })

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
