// Runs the benchmark the way a user does, `vitest run` in a child process from the project's root, with results going
// to a fresh temporary folder; returns the exit code, the output and that folder.

import type { LeaderboardFile } from '../../src/core/types.ts'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const root = resolve(import.meta.dirname, '../..')
const vitestBin = join(root, 'node_modules/vitest/vitest.mjs')

export interface BenchRun {
  code: number | null
  stdout: string
  stderr: string
  output: string
  resultsDir: string
  leaderboard: () => LeaderboardFile
}

/** A clean environment: no Vitest worker variables from the test runner, no keys, no MILO_* unless given. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && !key.startsWith('MILO_') && !key.endsWith('_API_KEY') && key !== 'NODE_ENV' && key !== 'TEST' && key !== 'CI' && key !== 'GITHUB_ACTIONS') {
      env[key] = value
    }
  }
  // A developer's .env must not reach the tests (keys, gate thresholds, cache modes): read none. Vite's scan of the
  // config's modules for what its future native loader would refuse (a warning nobody here reads) is skipped: a
  // quarter second of every start, as `npm run bench` skips it too.
  return { ...env, FORCE_COLOR: '0', NO_COLOR: '1', MILO_ENV_FILE: '/dev/null', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true', ...extra }
}

/**
 * `vitest run <args>` in a child process. It gets one worker unless `env` says otherwise: the tests run many
 * benchmarks at once, so the cores are busy anyway, and each extra worker would import the suites again. An aborted
 * `signal` kills it (its run then resolves with the output so far and no exit code).
 */
export function runBench(args: string[], env: Record<string, string> = {}, resultsDir = mkdtempSync(join(tmpdir(), 'milo-results-')), signal?: AbortSignal): Promise<BenchRun> {
  return run(process.execPath, [vitestBin, 'run', ...args], { MILO_WORKERS: '1', ...env }, resultsDir, signal)
}

/** The project a reference model id gets in test/support/reference-matrix.config.ts: `oracle,flaw=wrong-tool` -> `oracle-flaw-wrong-tool`. */
export const matrixProject = (id: string): string => id.replace(/[^\w-]+/g, '-')

/**
 * Several reference models (ids as the embedded server reads them) scored in one `vitest run`, each its own project
 * (see matrixProject), on the spec files or folders in `args`; `only` narrows a model to the spec files it lists, and
 * `baseURL` serves the ids from a test's own reference server instead of the embedded one.
 */
export function runMatrix(ids: string[], args: string[], only: Record<string, string[]> = {}, baseURL?: string): Promise<BenchRun> {
  return runBench(['--config', 'test/support/reference-matrix.config.ts', ...args], { MILO_TEST_MODELS: ids.join(';'), MILO_TEST_ONLY: JSON.stringify(only), ...(baseURL ? { MILO_TEST_BASE_URL: baseURL } : {}) })
}

/**
 * `npm run <script>` from the project's root, as the README says, with results in a fresh temporary folder. An
 * aborted `signal` kills npm and what it started (the child is a process group of its own for that).
 */
export function runScript(script: string, env: Record<string, string> = {}, resultsDir = mkdtempSync(join(tmpdir(), 'milo-results-')), signal?: AbortSignal): Promise<BenchRun> {
  return run('npm', ['run', '--silent', script], env, resultsDir, signal)
}

function run(command: string, args: string[], env: Record<string, string>, resultsDir: string, signal?: AbortSignal): Promise<BenchRun> {
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) {
      reject(new Error(`${command} ${args.join(' ')}: aborted before it started`))
      return
    }
    const child = spawn(command, args, { cwd: root, env: cleanEnv({ MILO_RESULTS_DIR: resultsDir, ...env }), detached: signal !== undefined })
    const kill = (): void => {
      if (child.pid === undefined) {
        return
      }
      try {
        process.kill(-child.pid, 'SIGKILL')
      }
      catch {
        // the group has ended already
      }
    }
    signal?.addEventListener('abort', kill, { once: true })
    // A process group of its own outlives this one unless killed: on Ctrl-C Vitest exits without its teardown.
    if (signal) {
      process.once('exit', kill)
    }
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const forget = (): void => {
      signal?.removeEventListener('abort', kill)
      process.removeListener('exit', kill)
    }
    child.on('error', (error) => {
      forget()
      reject(error)
    })
    child.on('close', (code) => {
      forget()
      resolvePromise({
        code,
        stdout,
        stderr,
        output: stdout + stderr,
        resultsDir,
        leaderboard: () => JSON.parse(readFileSync(join(resultsDir, 'leaderboard.json'), 'utf8')) as LeaderboardFile,
      })
    })
  })
}
