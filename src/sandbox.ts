// The sandbox: the only place model-written code runs. Each run is a child `node` in a fresh scratch directory under
// the OS temp dir, with a wall-time limit, a memory limit, no network, no project files, an environment holding only
// PATH, and the scratch directory deleted afterwards. Whatever the code does is returned as a result, never thrown.
//
// Isolation, from the outside in:
// - network: `unshare -n` gives the child an empty network namespace (not even loopback). Where that is not permitted
//   (detected once), a preload makes net, dns, http(s), tls, dgram and fetch throw; the result says which was used.
// - files: Node's permission model (`--experimental-permission`) allows reading and writing the scratch directory
//   only; child processes, workers and native addons are refused by it too.
// - memory: `--max-old-space-size` bounds the JavaScript heap; `prlimit --data` (when available) bounds everything
//   else the process maps, buffers included; `prlimit --fsize` bounds the size of a file it writes. No core files.
// - time: a wall-clock timer kills the child's whole process group with SIGKILL.

import type { ResponseCache } from './cache.ts'
import { execFile, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, isAbsolute, join, normalize, sep } from 'node:path'

/** How the network was taken away: a network namespace, or (weaker) a preload that makes network APIs throw. */
export type Isolation = 'netns' | 'preload'

/**
 * How a sandboxed run ended.
 * - `ok`: exited 0 within its limits.
 * - `exit`: exited non-zero for an ordinary reason (a thrown error, a failed assertion).
 * - `timeout`: killed at the wall-time limit.
 * - `memory`: ran out of its heap or data limit.
 * - `denied`: tried to read or write outside its scratch directory (or spawn a process, start a worker).
 * - `network`: tried to reach the network.
 * - `output`: wrote more than the output cap and was killed, or a file past the file-size limit.
 * - `spawn`: the child could not be started (an infrastructure fault, not the code's).
 */
export type SandboxCode = 'ok' | 'exit' | 'timeout' | 'memory' | 'denied' | 'network' | 'output' | 'spawn'

export interface SandboxOptions {
  /** Files to write into the scratch directory: relative path -> content. Paths may not leave the directory. */
  files: Record<string, string>
  /** Arguments to `node` after the sandbox's own flags, e.g. `['main.mjs']` (paths relative to the scratch dir). */
  args: string[]
  /** Written to the child's stdin, which is then closed. */
  stdin?: string
  /** Wall-time limit in ms (default 5000). */
  timeoutMs?: number
  /** JavaScript heap limit in MB (default 128); the data limit is this plus 256 MB for Node itself and buffers. */
  memoryMb?: number
  /** Characters kept of stdout and of stderr (default 64 KiB; 16x that of the report channel); a child that writes more than 32x this in all is killed. */
  outputLimit?: number
  /** Force an isolation (tests use `preload` to prove the fallback); default: the strongest this machine allows. */
  isolation?: Isolation
}

export interface SandboxResult {
  /** True when the code exited 0 within its limits. */
  ok: boolean
  code: SandboxCode
  exitCode: number | null
  signal: string | null
  stdout: string
  stderr: string
  /** What the child wrote to file descriptor 3, the sandbox's private report channel. */
  channel: string
  durationMs: number
  isolation: Isolation
  /** `rlimit`: heap, data and file-size limits; `heap`: only the heap limit (prlimit unavailable). */
  memoryLimit: 'rlimit' | 'heap'
  /** The scratch directory the code ran in; already deleted when this result is returned. */
  scratch: string
}

export interface Capabilities {
  isolation: Isolation
  memoryLimit: 'rlimit' | 'heap'
  unshare?: string
  prlimit?: string
}

let capabilities: Promise<Capabilities> | undefined

/** Whether `command args -- node -e ''` runs: how the isolation this machine allows is found, by trying it. */
function works(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(command, [...args, '--', process.execPath, '-e', ''], { timeout: 10_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }, error => resolve(error === null))
  })
}

/** What this machine allows, detected once per process (asynchronously: workers keep answering meanwhile). */
export function sandboxCapabilities(): Promise<Capabilities> {
  capabilities ??= Promise.all([works('unshare', ['-n']), works('prlimit', ['--data=1073741824', '--core=0'])]).then(([netns, rlimit]) => ({
    isolation: netns ? 'netns' : 'preload',
    memoryLimit: rlimit ? 'rlimit' : 'heap',
    ...(netns ? { unshare: 'unshare' } : {}),
    ...(rlimit ? { prlimit: 'prlimit' } : {}),
  }))
  return capabilities
}

// Sandboxes running at once in this process: more than the cores would only make every run slower and eat into
// its wall-time limit, which starts when the child does, not while it waits here.
const slots = { free: Math.max(1, availableParallelism()), waiting: [] as (() => void)[] }

async function acquire(): Promise<() => void> {
  if (slots.free > 0) {
    slots.free--
  }
  else {
    await new Promise<void>(resolve => slots.waiting.push(resolve))
  }
  return () => {
    const next = slots.waiting.shift()
    if (next) {
      next()
    }
    else {
      slots.free++
    }
  }
}

/** The preload of the fallback isolation: every way out to the network throws before a packet is sent. */
const noNetworkPreload = `'use strict'
const deny = (what) => function () {
  const error = new Error('network access is disabled in the sandbox (' + what + ')')
  error.code = 'ERR_SANDBOX_NETWORK'
  throw error
}
const patch = (object, names, what) => {
  for (const name of names) {
    if (object && typeof object[name] === 'function') {
      Object.defineProperty(object, name, { value: deny(what + '.' + name), writable: false, configurable: false })
    }
  }
}
const net = require('node:net')
patch(net.Socket.prototype, ['connect'], 'net.Socket')
patch(net, ['connect', 'createConnection', 'createServer'], 'net')
patch(net.Server.prototype, ['listen'], 'net.Server')
patch(require('node:tls'), ['connect'], 'tls')
patch(require('node:http'), ['request', 'get', 'createServer'], 'http')
patch(require('node:https'), ['request', 'get', 'createServer'], 'https')
patch(require('node:http2'), ['connect', 'createServer', 'createSecureServer'], 'http2')
patch(require('node:dgram'), ['createSocket'], 'dgram')
const dns = require('node:dns')
patch(dns, ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'reverse'], 'dns')
patch(dns.promises, ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'], 'dns.promises')
patch(dns.Resolver && dns.Resolver.prototype, ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'], 'dns.Resolver')
for (const name of ['fetch', 'WebSocket', 'EventSource']) {
  if (name in globalThis) {
    Object.defineProperty(globalThis, name, { value: deny(name), writable: false, configurable: false })
  }
}
`

const preloadPath = '.milo/no-network.cjs'

/** Largest file the code may write (RLIMIT_FSIZE, with prlimit): a loop writing to disk fails early, not the disk. */
const maxFileBytes = 32 * 1024 * 1024

/** Resolves a relative path inside `root`, or throws: sandbox files never land outside their scratch directory. */
function inside(root: string, path: string): string {
  const clean = normalize(path)
  if (path === '' || isAbsolute(path) || clean === '..' || clean.startsWith(`..${sep}`) || path.includes('\0')) {
    throw new Error(`sandbox file path '${path}' must be relative and stay inside the scratch directory`)
  }
  return join(root, clean)
}

const patterns: [SandboxCode, RegExp][] = [
  ['output', /EFBIG/],
  ['memory', /heap out of memory|Array buffer allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Fatal process out of memory|Cannot allocate memory|ENOMEM|Reached heap limit/],
  ['network', /ERR_SANDBOX_NETWORK|ENETUNREACH|EHOSTUNREACH|EAI_AGAIN|ECONNREFUSED|ENOTFOUND|fetch failed/],
  ['denied', /ERR_ACCESS_DENIED/],
]

/** Reads why a child ended from its exit and its stderr: the limit it hit, or what it tried that was refused. */
export function classifyExit(exit: { exitCode: number | null, signal: string | null, stderr: string, timedOut: boolean, overflowed: boolean }): SandboxCode {
  if (exit.timedOut) {
    return 'timeout'
  }
  if (exit.overflowed) {
    return 'output'
  }
  if (exit.exitCode === 0 && exit.signal === null) {
    return 'ok'
  }
  for (const [code, pattern] of patterns) {
    if (pattern.test(exit.stderr)) {
      return code
    }
  }
  // V8 aborts on a fatal out-of-memory before it can always say so.
  return exit.signal === 'SIGABRT' || exit.exitCode === 134 ? 'memory' : 'exit'
}

/** Runs `node <args>` in a fresh scratch directory holding `files`, under every limit above; never throws for the code's doing. */
export async function runSandboxed(options: SandboxOptions): Promise<SandboxResult> {
  const caps = await sandboxCapabilities()
  // A namespace asked for where none can be made falls back to the preload, and the result says so: code never runs
  // without one of the two.
  const isolation = options.isolation === 'netns' && !caps.unshare ? 'preload' : options.isolation ?? caps.isolation
  const timeoutMs = options.timeoutMs ?? 5000
  const memoryMb = options.memoryMb ?? 128
  const limit = options.outputLimit ?? 65_536
  const scratch = await realpath(await mkdtemp(join(tmpdir(), 'milo-sandbox-')))
  const release = await acquire()
  try {
    const files = { ...options.files, ...(isolation === 'preload' ? { [preloadPath]: noNetworkPreload } : {}) }
    for (const [path, content] of Object.entries(files)) {
      const target = inside(scratch, path)
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, content)
    }
    const nodeArgs = [
      '--experimental-permission',
      `--allow-fs-read=${scratch}`,
      `--allow-fs-write=${scratch}`,
      '--no-warnings',
      '--no-addons',
      `--max-old-space-size=${memoryMb}`,
      ...(isolation === 'preload' ? ['--require', `./${preloadPath}`] : []),
      ...options.args,
    ]
    const rlimit = caps.prlimit ? [caps.prlimit, `--data=${(memoryMb + 256) * 1024 * 1024}`, `--fsize=${maxFileBytes}`, '--core=0', '--'] : []
    const netns = isolation === 'netns' && caps.unshare ? [caps.unshare, '-n', '--'] : []
    const [command = process.execPath, ...args] = [...netns, ...rlimit, process.execPath, ...nodeArgs]
    return await new Promise<SandboxResult>((resolve) => {
      const started = performance.now()
      const output = { stdout: '', stderr: '', channel: '' }
      let total = 0
      let timedOut = false
      let overflowed = false
      let settled = false
      const child = spawn(command, args, {
        cwd: scratch,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        detached: true, // its own process group, so the kill reaches everything it is
      })
      const kill = (): void => {
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL')
          }
          catch {
            // already gone
          }
        }
      }
      const timer = setTimeout(() => {
        timedOut = true
        kill()
      }, timeoutMs)
      const collect = (key: keyof typeof output) => (chunk: Buffer): void => {
        total += chunk.length
        const keep = key === 'channel' ? 16 * limit : limit
        if (output[key].length < keep) {
          output[key] += chunk.toString('utf8').slice(0, keep - output[key].length)
        }
        if (total > 32 * limit && !overflowed) {
          overflowed = true
          kill()
        }
      }
      child.stdout?.on('data', collect('stdout'))
      child.stderr?.on('data', collect('stderr'))
      child.stdio[3]?.on('data', collect('channel'))
      // A child that exits without reading its stdin closes the pipe under us: that is not an error.
      child.stdin?.on('error', () => {})
      child.stdio[3]?.on('error', () => {})
      child.stdin?.end(options.stdin ?? '')
      const finish = (exitCode: number | null, signal: string | null, spawnError?: Error): void => {
        if (settled) {
          return
        }
        settled = true
        clearTimeout(timer)
        const durationMs = Math.round(performance.now() - started)
        const code = spawnError ? 'spawn' : classifyExit({ exitCode, signal, stderr: output.stderr, timedOut, overflowed })
        resolve({
          ok: code === 'ok',
          code,
          exitCode,
          signal,
          stdout: output.stdout,
          stderr: spawnError ? `could not start the sandbox: ${spawnError.message}` : output.stderr,
          channel: output.channel,
          durationMs,
          isolation,
          memoryLimit: caps.prlimit ? 'rlimit' : 'heap',
          scratch,
        })
      }
      child.on('error', error => finish(null, null, error))
      child.on('close', (exitCode, signal) => finish(exitCode, signal))
    })
  }
  finally {
    release()
    await rm(scratch, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------------
// Test runs: the files of a repository plus test files, run by a tiny runner inside the sandbox.

/**
 * The test runner, written into the scratch directory. Test files call the global `test(name, fn)` and use
 * `node:assert`. It reads its configuration and a secret nonce from stdin before any test file is loaded, then reports
 * each result on file descriptor 3, each line prefixed with the nonce: code under test can neither see the nonce nor
 * forge a result, and whatever it prints to stdout is only output.
 */
const runnerSource = `import fs from 'node:fs'
import assert from 'node:assert'
import strict from 'node:assert/strict'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
const writeSync = fs.writeSync
const stringify = JSON.stringify
const exit = process.exit.bind(process)
const config = JSON.parse(fs.readFileSync(0, 'utf8'))
const nonce = config.nonce
const report = record => writeSync(3, nonce + ' ' + stringify(record) + '\\n')
for (const object of [assert, strict]) {
  Object.freeze(object)
}
const describe = (error) => {
  try {
    const code = error && typeof error === 'object' && typeof error.code === 'string' ? error.code + ': ' : ''
    const message = error instanceof Error ? error.message : String(error)
    return (code + message).slice(0, 600)
  }
  catch {
    return 'an unprintable error'
  }
}
let queue = null
Object.defineProperty(globalThis, 'test', {
  value: (name, fn) => { if (queue) queue.push({ name: String(name), fn }) },
  writable: false,
  configurable: false,
})
// An error thrown later by a test's timer or promise fails the test still running, or is reported on its own.
let failCurrent = null
let currentFile = null
const stray = (error) => {
  if (failCurrent) {
    failCurrent(error)
  }
  else {
    report({ file: currentFile ?? '(none)', name: '(uncaught error)', ok: false, error: describe(error) })
  }
}
process.on('uncaughtException', stray)
process.on('unhandledRejection', stray)
const withTimeout = (value, ms) => {
  let timer
  const limit = new Promise((_, reject) => {
    failCurrent = reject
    timer = setTimeout(() => reject(new Error('test timed out after ' + ms + ' ms')), ms)
  })
  return Promise.race([Promise.resolve(value), limit]).finally(() => {
    clearTimeout(timer)
    failCurrent = null
  })
}
for (const file of config.files) {
  currentFile = file
  queue = []
  try {
    await import(pathToFileURL(resolve(file)).href)
  }
  catch (error) {
    queue = null
    report({ file, name: null, ok: false, error: describe(error) })
    continue
  }
  const tests = queue
  queue = null
  for (const { name, fn } of tests) {
    try {
      await withTimeout(typeof fn === 'function' ? fn() : Promise.reject(new Error('test body is not a function')), config.testTimeoutMs)
      report({ file, name, ok: true })
    }
    catch (error) {
      report({ file, name, ok: false, error: describe(error) })
    }
  }
}
report({ done: true })
exit(0)
`

/** One test's outcome; `name` null means the file itself failed to load (a syntax error, a missing export...). */
export interface TestCaseResult {
  file: string
  name: string | null
  ok: boolean
  error?: string
}

export interface TestRunOptions {
  /** Wall time for the whole run, ms (default 10 000). */
  timeoutMs?: number
  /** Per test, ms (default 2000): an await that never settles fails its test, not the run. */
  testTimeoutMs?: number
  memoryMb?: number
  isolation?: Isolation
}

export interface TestRunReport {
  /** Every test file loaded and every test passed, and the run finished within its limits. */
  passed: boolean
  /** Tests that passed. */
  passes: number
  /** Tests reported, passed or failed (a file that failed to load counts once). */
  reported: number
  results: TestCaseResult[]
  /** The runner got through every file (false when the code under test hung, crashed or exhausted its limits). */
  finished: boolean
  /** How the sandboxed process ended. */
  code: SandboxCode
  /** What tests ran into that the sandbox refuses, read from their errors. */
  violations: ('denied' | 'network')[]
  /** The tail of what the process printed, for the model to read. */
  output: string
  durationMs: number
  isolation: Isolation
  /** The scratch directory the tests ran in, already deleted (a report recalled from the cache names the original run's). */
  scratch: string
}

let testRunCache: ResponseCache | undefined

/**
 * Keeps test-run reports in the response cache (src/cache.ts): the same files and tests give the same report, so a run
 * replayed from cassettes re-scores without spawning the sandbox again. Set once per worker by src/bench.ts.
 */
export function useTestRunCache(cache: ResponseCache | undefined): void {
  testRunCache = cache
}

/** Runs `tests` (paths of test files among `files`) in the sandbox and reads each test's result. */
export async function runTests(files: Record<string, string>, tests: string[], options: TestRunOptions = {}): Promise<TestRunReport> {
  const key = testRunCache ? createHash('sha256').update(JSON.stringify([Object.entries(files).sort(([a], [b]) => a.localeCompare(b)), tests, options])).digest('hex') : ''
  const kept = testRunCache?.recall<TestRunReport>('sandbox', key)
  if (kept) {
    return kept
  }
  const report = await runTestsNow(files, tests, options)
  testRunCache?.remember('sandbox', key, report)
  return report
}

async function runTestsNow(files: Record<string, string>, tests: string[], options: TestRunOptions): Promise<TestRunReport> {
  const nonce = randomBytes(16).toString('hex')
  const result = await runSandboxed({
    files: { ...files, '.milo/runner.mjs': runnerSource },
    args: ['.milo/runner.mjs'],
    stdin: JSON.stringify({ nonce, files: tests, testTimeoutMs: options.testTimeoutMs ?? 2000 }),
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.memoryMb === undefined ? {} : { memoryMb: options.memoryMb }),
    ...(options.isolation === undefined ? {} : { isolation: options.isolation }),
  })
  // The scratch directory's name is random: mask it, so what a model reads back does not change from run to run.
  const mask = (text: string): string => text.split(result.scratch).join('.')
  const results: TestCaseResult[] = []
  let done = false
  for (const line of mask(result.channel).split('\n')) {
    if (!line.startsWith(`${nonce} `)) {
      continue
    }
    try {
      const record = JSON.parse(line.slice(nonce.length + 1)) as Partial<TestCaseResult> & { done?: boolean }
      if (record.done === true) {
        done = true
      }
      else if (typeof record.file === 'string') {
        results.push({ file: record.file, name: typeof record.name === 'string' ? record.name : null, ok: record.ok === true, ...(typeof record.error === 'string' ? { error: record.error } : {}) })
      }
    }
    catch {
      // a line cut by the output cap
    }
  }
  const finished = done && result.code === 'ok'
  const errors = results.map(r => r.error ?? '').join('\n')
  const violations = (['denied', 'network'] as const).filter(kind => (patterns.find(([code]) => code === kind)?.[1].test(errors) ?? false) || result.code === kind)
  const printed = mask(`${result.stdout}${result.stderr}`)
  return {
    passed: finished && results.length > 0 && results.every(r => r.ok),
    passes: results.filter(r => r.ok).length,
    reported: results.length,
    results,
    finished,
    code: result.code,
    violations,
    output: printed.length > 2000 ? printed.slice(-2000) : printed,
    durationMs: result.durationMs,
    isolation: result.isolation,
    scratch: result.scratch,
  }
}

/**
 * Tests a test file declares: top-level `test(` calls at the start of a line. Hidden tests are written that way, so
 * the share passing has a fixed denominator even when the code under test fails to load and no test gets to run.
 */
export function countDeclaredTests(source: string): number {
  return source.match(/^test\(/gm)?.length ?? 0
}
