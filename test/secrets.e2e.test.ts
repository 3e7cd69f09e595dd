// A planted key never leaks: the benchmark runs against a fault server that echoes the Authorization header into its
// error bodies, error chunks, malformed replies and streams, and a model that repeats the key (whole, or 12 or more of
// its characters) in its content, reasoning and tool arguments; the key then appears in no file under the results
// folder (records, transcripts, leaderboards, reports, recorded replies), in no console output, and in no recorded
// error message. Credentials never follow a redirect to another origin, in the preflight or in requests.

import type { FaultServer, FaultStep } from './support/fault-server.ts'
import type { BenchRun } from './support/run-bench.ts'
import type { RunRecord } from '../src/core/types.ts'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkEndpoint } from '../src/node/global-setup.ts'
import { startFaultServer } from './support/fault-server.ts'
import { sharedReferenceServer } from './support/reference-server.ts'
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

/** A model that repeats the key it must never have seen: whole in its content, in runs of 12+ characters elsewhere. */
const echoingCall = {
  id: 'x', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, finish_reason: 'tool_calls', message: {
    role: 'assistant',
    content: 'I will check with {{key}} first.',
    reasoning_content: 'The key {{key:2:16}} should work.',
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "{{key:4:18}}"}' } }],
  } }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
}
const echoingAnswer = {
  id: 'y', object: 'chat.completion', created: 0, model: 'm',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Done. The key was {{key}}; part of it: {{key:10:22}}.', reasoning_content: '{{key}}' } }],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
}

/** Every run of 12 of the key's characters: none may appear anywhere. */
const keyRuns = Array.from({ length: KEY.length - 11 }, (_, i) => KEY.slice(i, i + 12))
const leaks = (text: string): string[] => keyRuns.filter(run => text.includes(run))

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
  const reference = sharedReferenceServer()
  const servers: FaultServer[] = []
  const runs: { name: string, run: BenchRun, server: FaultServer }[] = []

  beforeAll(async () => {
    const plain = await startFaultServer(plainFaults, undefined, { upstream: reference.url, models: { status: 200, body: { object: 'list', data: [], note: `hello ${echoed}` } } })
    const streamed = await startFaultServer(streamFaults, undefined, { upstream: reference.url })
    const echoes = [echoingCall, echoingCall, echoingCall].map(reply => ({ reply }))
    const echoing = await startFaultServer([...echoes], undefined, { after: { reply: echoingAnswer } })
    // Streamed a few characters a delta, so no single delta holds 12 of the key's characters.
    const echoingStream = await startFaultServer(echoes.map(step => ({ ...step, fragment: 5 })), undefined, { after: { reply: echoingAnswer, fragment: 5 } })
    servers.push(plain, streamed, echoing, echoingStream)
    const bench = (server: FaultServer, resultsEnv: Record<string, string>, where = 'benchmarks/classic'): Promise<BenchRun> => {
      // Recorded replies go inside the results folder too, so they are searched with everything else.
      const resultsDir = mkdtempSync(join(tmpdir(), 'milo-secrets-'))
      return runBench(['--project', 'custom', where], { MILO_BASE_URL: server.url, MILO_MODEL: 'oracle', MILO_API_KEY: KEY, MILO_CACHE: 'record', MILO_CACHE_DIR: join(resultsDir, 'cache'), ...resultsEnv }, resultsDir)
    }
    const single = 'benchmarks/classic/single-tool.spec.ts'
    runs.push(...await Promise.all([
      bench(plain, { MILO_CONCURRENCY: '1' }).then(run => ({ name: 'plain', run, server: plain })),
      bench(streamed, { MILO_CONCURRENCY: '1', MILO_STREAM: '1' }).then(run => ({ name: 'streamed', run, server: streamed })),
      bench(echoing, { MILO_CONCURRENCY: '1' }, single).then(run => ({ name: 'echoed by the model', run, server: echoing })),
      bench(echoingStream, { MILO_CONCURRENCY: '1', MILO_STREAM: '1' }, single).then(run => ({ name: 'echoed by the model, streamed', run, server: echoingStream })),
    ]))
  }, 240_000)

  afterAll(async () => {
    await Promise.all(servers.map(server => server.close()))
  })

  it('the key was really sent, and the servers really echoed it back', () => {
    for (const { server } of runs) {
      expect(server.requests.some(request => request.headers.authorization === `Bearer ${KEY}`)).toBe(true)
    }
  })

  it('the key, or any 12 of its characters in a row, is in no console output, while what echoed it was reported redacted', () => {
    for (const { name, run } of runs) {
      expect(run.code, `${name}: ${run.output}`).toBe(0)
      expect(leaks(run.output), name).toEqual([])
      expect(run.output, name).toContain('[redacted]')
    }
  })

  it('the key, or any 12 of its characters in a row, is in no file under the results folder (records, transcripts, leaderboards, HTML, recorded replies)', () => {
    for (const { name, run } of runs) {
      const files = filesUnder(run.resultsDir)
      for (const kind of ['leaderboard.json', 'leaderboard.html', '.jsonl']) {
        expect(files.some(file => file.endsWith(kind)), `${name}: ${kind}`).toBe(true)
      }
      expect(files.some(file => file.includes(`${join(run.resultsDir, 'cache')}/`)), `${name}: recorded replies`).toBe(true)
      for (const file of files) {
        expect(leaks(readFileSync(file, 'utf8')), `${name}: ${file}`).toEqual([])
      }
    }
  })

  it('what the model echoed reached the transcripts redacted: content, reasoning and tool arguments', () => {
    for (const { name, run } of runs.filter(r => r.name.startsWith('echoed'))) {
      const dir = join(run.resultsDir, 'transcripts', 'custom')
      const text = readdirSync(dir).map(file => readFileSync(join(dir, file), 'utf8')).join('\n')
      expect(text, name).toContain('I will check with [redacted] first.')
      expect(text, name).toContain('The key [redacted] should work.')
      expect(text, name).toContain('{\\"city\\": \\"[redacted]\\"}')
      expect(text, name).toContain('Done. The key was [redacted]; part of it: [redacted].')
    }
  })

  it('every recorded error message that carried the key carries [redacted] instead', () => {
    const expected = { plain: ['auth', 'context_length', 'stream'], streamed: ['auth', 'stream'] }
    for (const { name, run, server } of runs.filter(r => r.name in expected)) {
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
    for (const { name, run } of runs.filter(r => !r.name.startsWith('echoed'))) {
      const result = run.leaderboard().suites.classic?.models[0]
      expect(result?.retries, name).toBeGreaterThanOrEqual(1)
      expect(result?.modelCalls, name).toBeGreaterThan(0)
      expect(result?.infraErrors, name).toBeGreaterThan(0)
    }
  })
})

describe('credentials never follow a redirect to another origin', () => {
  const key = 'sk-milo-redirect-SECRET-0123456789'

  it('the preflight: /models answering 302 elsewhere is not followed; the project is skipped with one line saying so', async () => {
    const elsewhere = await startFaultServer([])
    const origin = await startFaultServer([], undefined, { models: { status: 302, headers: { location: `${elsewhere.url}/models` } } })
    try {
      const spec = { key: 'custom', name: 'c', model: 'm', baseURL: origin.url, server: 'vllm', where: 'cloud', context: { label: '1M', tokens: 1 }, apiKeyEnv: 'MILO_API_KEY' } as const
      const result = await checkEndpoint(spec, origin.url, { MILO_API_KEY: key })
      expect(result).toEqual({ ok: false, baseURL: origin.url, reason: `custom: skipped: ${origin.url}/models redirects to another origin (${new URL(elsewhere.url).origin}); not followed, so the key was not sent there: if that is the server, make it the base URL` })
      expect(elsewhere.requests).toEqual([])
      expect(origin.requests.map(request => request.headers['x-api-key'])).toEqual([key])
    }
    finally {
      await Promise.all([elsewhere.close(), origin.close()])
    }
  })

  it('the benchmark as users run it: nothing reaches the other origin, the key is printed nowhere, and the run exits 1', async () => {
    const elsewhere = await startFaultServer([])
    const origin = await startFaultServer([], undefined, { models: { status: 302, headers: { location: `${elsewhere.url}/models` } } })
    try {
      const run = await runBench(['--project', 'custom', 'benchmarks/classic/single-tool.spec.ts'], { MILO_BASE_URL: origin.url, MILO_MODEL: 'm', MILO_API_KEY: key })
      expect(elsewhere.requests).toEqual([])
      expect(run.output).toContain('redirects to another origin')
      expect(run.output).not.toContain('SECRET-0123456789')
      expect(run.code, run.output).toBe(1)
    }
    finally {
      await Promise.all([elsewhere.close(), origin.close()])
    }
  }, 120_000)
})
