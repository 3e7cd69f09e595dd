// The editing loop: with the UI open (watch mode), editing one prompt reruns what depends on it, and only that
// prompt's calls reach the model; the rest come from the response cache. Counted at the server.

import type { ChildProcess } from 'node:child_process'
import type { ReferenceServer } from '../src/node/reference-server.ts'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { startReferenceServer } from '../src/node/reference-server.ts'
import { root } from './support/run-bench.ts'

const freePort = (): Promise<number> => new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const address = server.address()
    server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
  })
})

describe('watch mode and the UI', () => {
  let server: ReferenceServer
  let child: ChildProcess | undefined
  let copy: string
  beforeAll(async () => {
    server = await startReferenceServer({ suites })
    // A copy of the project, so editing its prompts cannot disturb other tests.
    copy = mkdtempSync(join(tmpdir(), 'milo-watch-'))
    for (const entry of ['benchmarks', 'fixtures', 'src', 'reporters', 'vitest.config.ts', 'package.json', 'tsconfig.json']) {
      cpSync(join(root, entry), join(copy, entry), { recursive: true })
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
  })
  afterAll(async () => {
    child?.kill('SIGKILL')
    await server.close()
  })

  it('editing one prompt makes exactly that prompt\'s model calls', async () => {
    const port = await freePort()
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, FORCE_COLOR: '0', MILO_BASE_URL: server.url, MILO_MODEL: 'oracle', MILO_CONCURRENCY: '4', MILO_RESULTS_DIR: join(copy, 'results') }
    child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), '--ui', '--watch', '--open=false', `--api.port=${port}`, '--project', 'custom'], { cwd: copy, env })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const runEnded = (count: number): Promise<void> => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch run ${count} did not end:\n${output}`)), 90_000)
      const check = setInterval(() => {
        if (output.split('milo-bench: results in').length - 1 >= count) {
          clearTimeout(timer)
          clearInterval(check)
          resolve()
        }
      }, 50)
    })

    await runEnded(1)
    const ui = await fetch(`http://127.0.0.1:${port}/__vitest__/`)
    expect(ui.status).toBe(200)
    const before = new Map(server.requests)

    const file = join(copy, 'fixtures/classic/single-tool.json')
    const original = 'What\'s the weather like in Paris right now?'
    const edited = 'What\'s the weather like in Paris at the moment?'
    const text = readFileSync(file, 'utf8')
    expect(text).toContain(original)
    server.prompts.length = 0
    writeFileSync(file, text.replace(original, edited))
    await runEnded(2)

    const calls = (server.requests.get('oracle') ?? 0) - (before.get('oracle') ?? 0)
    const runs = suites.find(s => s.id === 'classic')?.runs ?? 0
    // The edited prompt is new to the cache: one call per run (the oracle does not know it and answers at once).
    expect(server.prompts).toEqual(Array.from({ length: runs }, () => edited))
    expect(calls).toBe(runs)
  }, 180_000)

  it('an edited prompt keeps the embedded oracle at full marks: it finds the task by id, not by the prompt it knew', async () => {
    child?.kill('SIGKILL')
    const port = await freePort()
    const results = join(copy, 'results-oracle')
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, FORCE_COLOR: '0', MILO_RESULTS_DIR: results, MILO_ENV_FILE: '/dev/null' }
    child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), '--watch', `--api.port=${port}`, '--project', 'oracle', 'benchmarks/classic/single-tool.spec.ts'], { cwd: copy, env })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const runEnded = (count: number): Promise<void> => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch run ${count} did not end:\n${output}`)), 90_000)
      const check = setInterval(() => {
        if (output.split('milo-bench: results in').length - 1 >= count) {
          clearTimeout(timer)
          clearInterval(check)
          resolve()
        }
      }, 50)
    })
    await runEnded(1)
    const file = join(copy, 'fixtures/classic/single-tool.json')
    const text = readFileSync(file, 'utf8')
    writeFileSync(file, text.replace('How many kilometres is a marathon of 26.2 miles?', 'A marathon is 26.2 miles: how many kilometres is that?'))
    await runEnded(2)
    const board = JSON.parse(readFileSync(join(results, 'leaderboard.json'), 'utf8')) as { suites: Record<string, { models: { project: string, tasks: Record<string, { runs: number[] }> }[] }> }
    const oracle = board.suites.classic?.models.find(model => model.project === 'oracle')
    expect(oracle?.tasks['convert-marathon']?.runs, output.slice(-3000)).toEqual([3, 3, 3])
  }, 180_000)
})
