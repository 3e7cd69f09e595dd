// A planted key never leaks: the benchmark runs against a fault server that echoes the Authorization header into its
// error bodies, error chunks, malformed replies and streams, and the key then appears in no file under the results
// folder (records, leaderboards, reports, recorded replies), in no console output, and in no recorded error message.

import type { FaultServer, FaultStep } from './support/fault-server.ts'
import type { BenchRun } from './support/run-bench.ts'
import type { ReferenceServer } from '../src/reference-server.ts'
import type { RunRecord } from '../src/types.ts'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { startReferenceServer } from '../src/reference-server.ts'
import { startFaultServer } from './support/fault-server.ts'
import { runBench } from './support/run-bench.ts'

const KEY = 'sk-milo-test-SECRET-0123456789'
const echoed = '{{authorization}}'

const frame = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`
const role = frame({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })

/** Non-streamed faults, each echoing the key: retried 500, malformed JSON (Node quotes it in the SyntaxError), context overflow, rejected key. */
const plainFaults: FaultStep[] = [
  { status: 500, body: { error: { message: `internal error handling request with ${echoed}`, type: 'server_error', code: 500 } } },
  { raw: `{"error": "bad key ${echoed}`, status: 200 },
  { status: 400, body: { error: { message: `maximum context length exceeded (request from ${echoed})`, type: 'invalid_request_error', code: 'context_length_exceeded' } } },
  { status: 401, body: { error: { message: `Incorrect API key provided: ${echoed}`, type: 'invalid_request_error', code: 'invalid_api_key' } }, headers: { 'www-authenticate': `Bearer realm="${echoed}"` } },
  { status: 429, body: [{ error: { code: 429, message: `quota exceeded for ${echoed}`, status: 'RESOURCE_EXHAUSTED' } }], headers: { 'retry-after': '0' } },
]

/** Streamed faults: an upstream error chunk (retried), an unparseable frame (openai-node logs such frames), a rejected key. */
const streamFaults: FaultStep[] = [
  { sse: [role, frame({ error: { code: 502, message: `upstream failed for ${echoed}` }, choices: [] })] },
  { sse: [role, `data: {"choices": [{"delta": {"content": "${echoed}\n\n`] },
  { sse: [role, frame({ error: { code: 401, message: `invalid key ${echoed}` } })] },
]

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

function records(resultsDir: string): RunRecord[] {
  const dir = join(resultsDir, 'runs', 'custom')
  return readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').split('\n').filter(line => line !== '').map(line => JSON.parse(line) as RunRecord))
}

describe('a planted key never leaks', () => {
  let reference: ReferenceServer
  const servers: FaultServer[] = []
  const runs: { name: string, run: BenchRun, server: FaultServer }[] = []

  beforeAll(async () => {
    reference = await startReferenceServer({ suites })
    const plain = await startFaultServer(plainFaults, undefined, { upstream: reference.url, models: { status: 200, body: { object: 'list', data: [], note: `hello ${echoed}` } } })
    const streamed = await startFaultServer(streamFaults, undefined, { upstream: reference.url })
    servers.push(plain, streamed)
    const bench = (server: FaultServer, resultsEnv: Record<string, string>): Promise<BenchRun> =>
      runBench(['--project', 'custom', 'benchmarks/classic'], { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle', MILO_API_KEY: KEY, MILO_CACHE: 'record', ...resultsEnv })
    // Recorded replies go inside the results folder too, so they are searched with everything else.
    const [first, second] = await Promise.all([
      bench(plain, { MILO_CONCURRENCY: '1' }).then(run => ({ name: 'plain', run, server: plain })),
      bench(streamed, { MILO_CONCURRENCY: '1', MILO_STREAM: '1' }).then(run => ({ name: 'streamed', run, server: streamed })),
    ])
    runs.push(first, second)
  }, 180_000)

  afterAll(async () => {
    await Promise.all([...servers.map(server => server.close()), reference.close()])
  })

  it('the key was really sent, and the servers really echoed it back', () => {
    for (const { server } of runs) {
      expect(server.requests.some(request => request.headers.authorization === `Bearer ${KEY}`)).toBe(true)
    }
  })

  it('the key is in no console output, while the echoed errors were reported there redacted', () => {
    for (const { name, run } of runs) {
      expect(run.code, `${name}: ${run.output}`).toBe(0)
      expect(run.output, name).not.toContain(KEY)
      expect(run.output, name).not.toContain('SECRET-0123456789')
      expect(run.output, name).toContain('[redacted]')
    }
  })

  it('the key is in no file under the results folder (records, leaderboards, reports, recorded replies)', () => {
    for (const { name, run } of runs) {
      const files = filesUnder(run.resultsDir)
      expect(files.some(file => file.endsWith('leaderboard.json')), name).toBe(true)
      expect(files.some(file => file.endsWith('.jsonl')), name).toBe(true)
      for (const file of files) {
        const text = readFileSync(file, 'utf8')
        expect(text.includes(KEY) || text.includes('SECRET-0123456789'), `${name}: ${file}`).toBe(false)
      }
    }
  })

  it('every recorded error message that carried the key carries [redacted] instead', () => {
    const expected = { plain: ['auth', 'context_length', 'stream'], streamed: ['auth', 'stream'] }
    for (const { name, run, server } of runs) {
      const errors = records(run.resultsDir).map(record => record.error).filter(error => error !== undefined)
      // Each fault that ends a run is in a record; the retried ones (500, 429, the 502 chunk) are not: those runs went on.
      expect(errors.map(error => error.kind).sort(), name).toEqual(expected[name as keyof typeof expected])
      for (const error of errors) {
        expect(error.message, name).not.toContain(KEY)
        // A malformed reply is reported by its parse error, which quotes at most a few characters of the body.
        if (error.kind !== 'stream') {
          expect(error.message, `${name} ${error.kind}`).toContain('[redacted]')
        }
      }
      expect(server.requests.length).toBeGreaterThan((name === 'plain' ? plainFaults : streamFaults).length)
    }
  })

  it('runs after the faults succeeded with the same key, and the retried faults were counted', () => {
    for (const { name, run } of runs) {
      const result = run.leaderboard().suites.classic?.models[0]
      expect(result?.retries, name).toBeGreaterThanOrEqual(1)
      expect(result?.modelCalls, name).toBeGreaterThan(0)
      expect(result?.infraErrors, name).toBeGreaterThan(0)
    }
  })
})
