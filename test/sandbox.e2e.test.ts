// The sandbox, proved case by case: model code cannot read outside its scratch directory, reach the network (in a
// network namespace or, where that is refused, through the preload: TCP, UDP and DNS alike), see or signal a process
// outside its run (in a PID namespace or under a uid of its own), outlive its time limit or its harness, exhaust
// memory or the disk, see the parent's environment, or forge the verdict of the tests it is run against; each case
// comes back as a result, and the scratch directory is gone afterwards.

import type { AddressInfo } from 'node:net'
import type { ResponseCache } from '../src/models/cache.ts'
import type { SandboxResult } from '../src/runtime/sandbox.ts'
import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countDeclaredTests, runSandboxed, runTests, sandboxCapabilities, useTestRunCache } from '../src/runtime/sandbox.ts'
import { root as projectRoot, runBench } from './support/run-bench.ts'

const scratchRoot = realpathSync(tmpdir())
const root = process.getuid?.() === 0

/**
 * What this machine permits, probed here on its own, the way the sandbox probes it, so the tests know which isolation
 * the sandbox should have picked: a PID namespace with its own network (root, or user namespaces allowed), a uid of
 * its own (root with setpriv), the rlimits (prlimit).
 */
const tries = (command: string, args: string[]): boolean => spawnSync(command, [...args, '--', process.execPath, '-e', ''], { timeout: 10_000 }).status === 0
const setprivPermitted = tries('setpriv', ['--pdeathsig', 'KILL'])
const namespacesPermitted = setprivPermitted && tries('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--net', ...(root ? [] : ['--map-root-user'])])
const uidPermitted = root && setprivPermitted && tries('setpriv', ['--reuid=2000000000', '--regid=2000000000', '--clear-groups'])
const rlimitPermitted = tries('prlimit', ['--data=1073741824', '--core=0'])
const containmentPermitted = namespacesPermitted || uidPermitted
/** The containments this machine can give, each of which the process tests below run under. */
const containments = [...(namespacesPermitted ? ['pidns' as const] : []), ...(uidPermitted ? ['uid' as const] : [])]

const run = (code: string, options: Partial<Parameters<typeof runSandboxed>[0]> = {}): Promise<SandboxResult> =>
  runSandboxed({ files: { 'main.mjs': code }, args: ['main.mjs'], ...options })

/** The run had its own scratch directory under the OS temp dir, and it is gone. */
function expectGone(result: { scratch: string }): void {
  expect(result.scratch.startsWith(`${scratchRoot}${sep}milo-sandbox-`), result.scratch).toBe(true)
  expect(existsSync(result.scratch)).toBe(false)
}

describe('what this machine permits', () => {
  it('detects what this machine permits once, by trying it, and uses the strongest by default', async ({ expect }) => {
    const caps = await sandboxCapabilities()
    // A PID namespace with its own network where namespaces are permitted; a uid of its own where only root is; on a
    // machine with neither, no containment at all (proved below in a child harness that cannot find util-linux).
    expect(caps).toMatchObject({
      containment: namespacesPermitted ? 'pidns' : uidPermitted ? 'uid' : 'none',
      isolation: namespacesPermitted ? 'netns' : 'preload',
      memoryLimit: rlimitPermitted ? 'rlimit' : 'heap',
      uidDrop: uidPermitted,
      pidns: namespacesPermitted,
    })
    expect(caps.reason === undefined).toBe(containmentPermitted)
    expect(await sandboxCapabilities()).toBe(caps)
    const result = await run('console.log(process.getuid())')
    expect(result).toMatchObject({ code: containmentPermitted ? 'ok' : 'unavailable', isolation: caps.isolation, containment: caps.containment, disk: caps.disk, memoryLimit: caps.memoryLimit, uid: uidPermitted })
    if (uidPermitted) {
      // Even inside its own namespace, code started by a root harness does not run as root.
      expect(Number(result.stdout)).toBeGreaterThanOrEqual(2_000_000_000)
    }
  })
})

describe.runIf(containmentPermitted)('runSandboxed', { concurrent: true }, () => {
  it('runs code in a scratch directory it can use, and deletes the directory afterwards', async ({ expect }) => {
    const result = await run(`import fs from 'node:fs'
fs.writeFileSync('made.txt', 'hello')
console.log(fs.readFileSync('made.txt', 'utf8'), process.cwd())`)
    expect(result).toMatchObject({ ok: true, code: 'ok', exitCode: 0 })
    expect(result.stdout).toContain(`hello ${result.scratch}`)
    expectGone(result)
  })

  it('records reading a project file as denied', async ({ expect }) => {
    const result = await run(`import fs from 'node:fs'
console.log(fs.readFileSync(${JSON.stringify(join(projectRoot, 'package.json'))}, 'utf8'))`)
    expect(result).toMatchObject({ ok: false, code: 'denied' })
    expect(result.stdout).not.toContain('milo-bench')
    expectGone(result)
  })

  it('records writing outside the scratch directory, listing the project and spawning a process as denied', async ({ expect }) => {
    const target = join(tmpdir(), `milo-sandbox-escape-${process.pid}.txt`)
    const write = await run(`import fs from 'node:fs'\nfs.writeFileSync(${JSON.stringify(target)}, 'x')`)
    expect(write.code).toBe('denied')
    expect(existsSync(target)).toBe(false)
    const list = await run(`import fs from 'node:fs'\nconsole.log(fs.readdirSync(${JSON.stringify(projectRoot)}))`)
    expect(list.code).toBe('denied')
    const spawn = await run(`import { execSync } from 'node:child_process'\nconsole.log(String(execSync('cat /etc/hostname')))`)
    expect(spawn.code).toBe('denied')
    const link = await run(`import fs from 'node:fs'\nfs.symlinkSync(${JSON.stringify(join(projectRoot, 'package.json'))}, 'p.json')\nconsole.log(fs.readFileSync('p.json', 'utf8'))`)
    expect(link.code).toBe('denied')
  })

  it('sees none of the parent\'s environment variables, only PATH', async ({ expect }) => {
    process.env.MILO_PLANTED_SECRET = 'planted-value-4711'
    try {
      const result = await run('console.log(JSON.stringify(process.env))')
      expect(result.code).toBe('ok')
      const env = JSON.parse(result.stdout) as Record<string, string>
      expect(Object.keys(env)).toEqual(['PATH'])
      expect(result.stdout).not.toContain('planted-value-4711')
    }
    finally {
      delete process.env.MILO_PLANTED_SECRET
    }
  })

  it('kills code that outlives its time limit, with its process group, and records a timeout', async ({ expect }) => {
    const result = await run('while (true) {}', { timeoutMs: 400 })
    expect(result).toMatchObject({ ok: false, code: 'timeout', signal: 'SIGKILL' })
    expect(result.durationMs).toBeGreaterThanOrEqual(400)
    expect(result.durationMs).toBeLessThan(5000)
    expectGone(result)
    const pending = await run('setInterval(() => {}, 1000)', { timeoutMs: 300 })
    expect(pending.code).toBe('timeout')
  })

  it('records exhausting the heap as memory', async ({ expect }) => {
    const result = await run('const keep = []\nfor (;;) keep.push({ filler: new Array(1000).fill(1) })', { memoryMb: 64, timeoutMs: 20_000 })
    expect(result).toMatchObject({ ok: false, code: 'memory' })
    expectGone(result)
  })

  it('records exhausting memory outside the heap (buffers) as memory', async ({ expect }) => {
    const result = await run('const keep = []\nfor (;;) keep.push(Buffer.alloc(32 * 1024 * 1024, 1))', { memoryMb: 64, timeoutMs: 20_000 })
    expect(result).toMatchObject({ ok: false, code: 'memory' })
  })

  it('records an ordinary crash as exit, and output past the cap or a file past the size limit as output', async ({ expect }) => {
    const crash = await run('throw new Error(\'boom\')')
    expect(crash).toMatchObject({ ok: false, code: 'exit', exitCode: 1 })
    expect(crash.stderr).toContain('boom')
    const flood = await run('for (;;) process.stdout.write(\'x\'.repeat(65536))', { outputLimit: 4096 })
    expect(flood.code).toBe('output')
    expect(flood.stdout.length).toBeLessThanOrEqual(4096)
    const disk = await run('import fs from \'node:fs\'\nfs.writeFileSync(\'big.bin\', Buffer.alloc(64 * 1024 * 1024, 1))', { timeoutMs: 20_000 })
    expect(disk.code).toBe('output')
    expect(disk.stderr).toContain('EFBIG')
  })
})

describe.runIf(containmentPermitted)('the network is out of reach', { concurrent: true }, () => {
  let url: string
  let port: number
  let hits = 0
  let server: ReturnType<typeof createServer>
  beforeAll(async () => {
    server = createServer((_request, response) => {
      hits++
      response.end('reached')
    })
    await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
    port = (server.address() as AddressInfo).port
    url = `http://127.0.0.1:${port}/`
    // The server answers from here, so a refusal below is the sandbox's doing.
    expect(await (await fetch(url)).text()).toBe('reached')
    hits = 0
  })
  afterAll(async () => {
    await new Promise(done => server.close(done))
    expect(hits).toBe(0)
  })

  for (const isolation of ['netns', 'preload'] as const) {
    // Forcing a network namespace the machine does not permit proves nothing: that case is the preload's.
    const permitted = isolation === 'preload' || namespacesPermitted
    it.runIf(permitted)(`fetch to a loopback server is recorded as network (${isolation})`, async ({ expect }) => {
      const result = await run(`const response = await fetch(${JSON.stringify(url)})\nconsole.log(await response.text())`, { isolation })
      expect(result).toMatchObject({ ok: false, code: 'network', isolation })
      expect(result.stdout).not.toContain('reached')
    })

    it.runIf(permitted)(`a raw socket and a DNS lookup are recorded as network (${isolation})`, async ({ expect }) => {
      const socket = await run(`import net from 'node:net'
const s = net.connect(${port}, '127.0.0.1')
s.on('connect', () => console.log('connected'))
s.on('error', (error) => { throw error })`, { isolation })
      expect(socket.code).toBe('network')
      expect(socket.stdout).not.toContain('connected')
      const dns = await run(`import dns from 'node:dns/promises'\nconsole.log(await dns.lookup('example.com'))`, { isolation })
      expect(dns.code).toBe('network')
    })
  }
})

describe.runIf(containmentPermitted)('runTests', { concurrent: true }, () => {
  const add = 'export const add = (a, b) => a + b\n'
  const tests = `import assert from 'node:assert/strict'
import { add } from '../src/add.mjs'
test('adds', () => assert.equal(add(1, 2), 3))
test('adds negatives', () => assert.equal(add(-1, -2), -3))
test('is commutative', () => assert.equal(add(2, 5), add(5, 2)))
`

  it('reports every test of every file', async ({ expect }) => {
    const report = await runTests({ 'src/add.mjs': add, 'test/add.test.mjs': tests }, ['test/add.test.mjs'])
    expect(report).toMatchObject({ passed: true, passes: 3, reported: 3, finished: true, code: 'ok', violations: [] })
  })

  it('keeps a finished run\'s report for the next run with the same files, never one that ran out of time', async ({ expect }) => {
    // Other tests of this file run beside this one and may keep reports too: what matters is that no timeout is kept.
    const kept: { code: string, passes: number }[] = []
    const cache = { mode: 'on', read: () => undefined, write: () => {}, recall: () => undefined, remember: (_space: string, _key: string, report: unknown) => { kept.push(report as typeof kept[number]) } } as ResponseCache
    useTestRunCache(cache)
    try {
      await runTests({ 'src/add.mjs': add, 'test/add.test.mjs': tests }, ['test/add.test.mjs'])
      expect(kept.some(report => report.code === 'ok' && report.passes === 3)).toBe(true)
      const slow = await runTests({ 'src/add.mjs': `${add}for (;;) {}\n`, 'test/add.test.mjs': tests }, ['test/add.test.mjs'], { timeoutMs: 1000 })
      expect(slow.code).toBe('timeout')
      expect(kept.filter(report => report.code === 'timeout')).toEqual([])
    }
    finally {
      useTestRunCache(undefined)
    }
  })

  it('gives partial results for partly wrong code, and one failure for a file that does not load', async ({ expect }) => {
    const wrong = await runTests({ 'src/add.mjs': 'export const add = (a, b) => Math.abs(a) + Math.abs(b)\n', 'test/add.test.mjs': tests }, ['test/add.test.mjs'])
    expect(wrong).toMatchObject({ passed: false, passes: 2, reported: 3, finished: true })
    expect(wrong.results.find(r => !r.ok)?.error).toMatch(/Expected values to be strictly equal/)
    const broken = await runTests({ 'src/add.mjs': 'export const add = (a, b) => {', 'test/add.test.mjs': tests }, ['test/add.test.mjs'])
    expect(broken).toMatchObject({ passed: false, passes: 0, reported: 1, finished: true })
    expect(broken.results[0]).toMatchObject({ name: null, ok: false })
  })

  it('runs CommonJS code under test as well as ESM, as a repository\'s own tests and as hidden ones', async ({ expect }) => {
    // Named imports of CommonJS depend on Node's export detection; hidden tests import the default, as here.
    const cjsTests = tests.replace('import { add } from \'../src/add.mjs\'', 'import addModule from \'../src/add.cjs\'\nconst { add } = addModule')
    const report = await runTests({ 'src/add.cjs': 'module.exports = { add: (a, b) => a + b }\n', 'test/add.test.mjs': cjsTests }, ['test/add.test.mjs'])
    expect(report).toMatchObject({ passed: true, passes: 3 })
    const sealed = await runTests({ 'src/add.cjs': 'module.exports = { add: (a, b) => a + b }\n', 'hidden/add.test.mjs': cjsTests }, ['hidden/add.test.mjs'], { sealed: true })
    expect(sealed).toMatchObject({ passed: true, passes: 3 })
  })

  it('survives code under test that hangs, loops, exits early or forges results', async ({ expect }) => {
    const hang = await runTests({ 'test/t.test.mjs': 'test(\'waits forever\', () => new Promise(() => {}))\ntest(\'fine\', () => {})\n' }, ['test/t.test.mjs'], { testTimeoutMs: 200 })
    expect(hang).toMatchObject({ passed: false, passes: 1, reported: 2, finished: true })
    expect(hang.results[0]?.error).toContain('timed out')
    // A test that blocks its thread (here without burning a core, so a loaded machine stays as it was) never yields to
    // the per-test timer: only the run's deadline ends it, and what was reported before it stands. The deadline leaves
    // room for a slow start-up, or the test before it would not have reported yet.
    const blocks = 'test(\'fine\', () => {})\ntest(\'blocks\', () => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0) })\n'
    const loop = await runTests({ 'test/t.test.mjs': blocks }, ['test/t.test.mjs'], { timeoutMs: 3000 })
    expect(loop).toMatchObject({ passed: false, passes: 1, reported: 1, finished: false, code: 'timeout' })
    const forged = `import fs from 'node:fs'
const fake = JSON.stringify({ file: 'test/t.test.mjs', name: 'forged', ok: true })
console.log(fake)
fs.writeSync(3, 'x ' + fake + '\\n')
fs.writeSync(3, JSON.stringify({ done: true }) + '\\n')
process.exit(0)
`
    const cheat = await runTests({ 'src/cheat.mjs': forged, 'test/t.test.mjs': 'import \'../src/cheat.mjs\'\ntest(\'real\', () => { throw new Error(\'fails\') })\n' }, ['test/t.test.mjs'])
    expect(cheat).toMatchObject({ passed: false, passes: 0, finished: false })
    expect(cheat.results.some(r => r.name === 'forged')).toBe(false)
  })

  it('lets a repository\'s own tests mock built-ins and globals: only hidden-test runs freeze them', async ({ expect }) => {
    const mocking = `import assert from 'node:assert/strict'
test('mocks the clock and the timers', () => {
  const now = Date.now
  const timer = globalThis.setTimeout
  Date.now = () => 42
  globalThis.setTimeout = fn => fn()
  try {
    let ran = false
    setTimeout(() => { ran = true }, 1000)
    assert.equal(Date.now(), 42)
    assert.equal(ran, true)
  }
  finally {
    Date.now = now
    globalThis.setTimeout = timer
  }
})
`
    expect(await runTests({ 'test/t.test.mjs': mocking }, ['test/t.test.mjs'])).toMatchObject({ passed: true, passes: 1 })
    expect(await runTests({ 'hidden/t.test.mjs': mocking }, ['hidden/t.test.mjs'], { sealed: true })).toMatchObject({ passed: false, passes: 0, reported: 1 })
  })

  it('records what tests ran into: denied files and the network', async ({ expect }) => {
    const report = await runTests({ 'test/t.test.mjs': `import fs from 'node:fs'\ntest('reads the project', () => fs.readFileSync(${JSON.stringify(join(projectRoot, 'package.json'))}))\ntest('calls out', () => fetch('http://127.0.0.1:9/'))\n` }, ['test/t.test.mjs'])
    expect(report).toMatchObject({ passed: false, passes: 0, finished: true })
    expect(report.violations).toEqual(['denied', 'network'])
  })

  it('runs each test run in its own scratch directory under the OS temp dir, and leaves none behind', async ({ expect }) => {
    // The tests themselves check where they run, so the report's path is the directory they really ran in.
    const where = `import assert from 'node:assert/strict'
import { basename, dirname } from 'node:path'
test('runs in a fresh milo-sandbox- directory of the temp dir', () => {
  assert.equal(dirname(process.cwd()), ${JSON.stringify(scratchRoot)})
  assert.match(basename(process.cwd()), /^milo-sandbox-/)
})
`
    const reports = await Promise.all([1, 2, 3].map(() => runTests({ 'src/add.mjs': add, 'test/add.test.mjs': tests, 'test/where.test.mjs': where }, ['test/add.test.mjs', 'test/where.test.mjs'])))
    for (const report of reports) {
      expect(report, report.output).toMatchObject({ passed: true, passes: 4, reported: 4, finished: true })
      expectGone(report)
    }
    expect(new Set(reports.map(report => report.scratch)).size).toBe(3)
  })
})


/** A process's command line, arguments NUL-separated; empty once it is gone (or a zombie). */
function commandLine(pid: number | string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  }
  catch {
    return ''
  }
}

/** Processes whose command line holds `marker` as an argument of its own: what a sandboxed run started, still alive. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc').filter(name => /^\d+$/.test(name) && commandLine(name).includes(`\0${marker}`)).map(Number)
}

/** Waits for `done` to hold, checking every 50 ms, at most `ms`: true when it held in time. */
async function eventually(done: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise(resolve => setTimeout(resolve, 50))) {
    if (done()) {
      return true
    }
  }
  return done()
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  }
  catch {
    return false
  }
}

/** A temp dir of the test's own that a dropped uid can reach (mode 0711), as the default /tmp is. */
function reachableTemp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  chmodSync(dir, 0o711)
  return dir
}

/** Runs test/support/sandbox-child.ts: a harness of the test's own, in a child process, running one sandboxed program. */
function startHarness(options: Parameters<typeof runSandboxed>[0], temp: string) {
  const child = spawn(process.execPath, ['src/run-ts.mjs', 'test/support/sandbox-child.ts', JSON.stringify(options)], { cwd: projectRoot, env: { ...process.env, TMPDIR: temp }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<{ code: number | null, signal: string | null }>(done => child.on('close', (code, signal) => done({ code, signal })))
  return { child, output: () => output, exited }
}

describe.runIf(containmentPermitted)('processes stay inside their run', { concurrent: true }, () => {
  for (const containment of containments) {
    it(`code cannot signal a process outside its run: a victim of the test's own survives SIGKILL (${containment})`, async ({ expect }) => {
      const victim = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' })
      try {
        // Signal 0 probes the test's own process without harming it if it got through; in a PID namespace, every
        // process there is (-1) too. (Outside one, kill(-1) reports success whenever any process exists, permitted or
        // not, so it proves nothing there.)
        const targets = [['victim', victim.pid, 'SIGKILL'], ['harness', process.pid, 0], ...(containment === 'pidns' ? [['everyone', -1, 0]] : [])]
        const result = await run(`const tried = {}
for (const [name, pid, signal] of ${JSON.stringify(targets)}) {
  try {
    process.kill(pid, signal)
    tried[name] = 'sent'
  }
  catch (error) {
    tried[name] = error.code
  }
}
console.log(JSON.stringify({ tried, pid: process.pid, uid: process.getuid() }))`, { containment })
        expect(result, result.stderr).toMatchObject({ code: 'ok', containment })
        const seen = JSON.parse(result.stdout) as { tried: Record<string, string>, pid: number, uid: number }
        const refused = expect.stringMatching(/^(?:ESRCH|EPERM)$/)
        expect(seen.tried).toEqual({ victim: refused, harness: refused, ...(containment === 'pidns' ? { everyone: 'ESRCH' } : {}) })
        expect(victim.exitCode).toBeNull()
        expect(alive(victim.pid ?? 0)).toBe(true)
        if (containment === 'uid') {
          expect(seen.uid).toBeGreaterThanOrEqual(2_000_000_000)
        }
      }
      finally {
        victim.kill('SIGKILL')
      }
    })

    it(`no process outlives a run, even code that tries to fork and loops (${containment})`, async ({ expect }) => {
      const marker = `milo-loop-${randomUUID()}`
      const result = await run(`import { spawn } from 'node:child_process'
try {
  spawn('sleep', ['60'])
}
catch {}
setInterval(() => {}, 1000)
for (;;) {}`, { containment, timeoutMs: 500, args: ['main.mjs', marker] })
      expect(result).toMatchObject({ code: 'timeout', containment })
      expect(await eventually(() => processesWith(marker).length === 0, 10_000), `left running: ${processesWith(marker).join(', ')}`).toBe(true)
    })

    it(`code that kills its parent and its harness leaves the harness running to record the result (${containment})`, async ({ expect }) => {
      const temp = reachableTemp('milo-parent-')
      try {
        // The program gets its harness's pid as an argument (sandbox-child.ts fills in {harness}).
        const harness = startHarness({ files: { 'main.mjs': `const target = Number(process.argv[2])
const tried = []
for (const pid of [process.ppid, target]) {
  try {
    process.kill(pid, 'SIGKILL')
    tried.push('sent')
  }
  catch (error) {
    tried.push(error.code)
  }
}
console.log(JSON.stringify(tried))` }, args: ['main.mjs', '{harness}'], containment }, temp)
        const ended = await harness.exited
        expect(ended, harness.output()).toEqual({ code: 0, signal: null })
        const result = (JSON.parse(harness.output().trim().split('\n').at(-1) ?? '{}') as { result: SandboxResult }).result
        expect(result).toMatchObject({ code: 'ok', containment })
        expect(JSON.parse(result.stdout)).toEqual([expect.stringMatching(/^(?:ESRCH|EPERM|sent)$/), expect.stringMatching(/^(?:ESRCH|EPERM)$/)])
      }
      finally {
        rmSync(temp, { recursive: true, force: true })
      }
    })

    it(`a harness killed mid-run leaves no sandboxed process behind (${containment})`, async ({ expect }) => {
      const marker = `milo-orphan-${randomUUID()}`
      const temp = reachableTemp('milo-orphan-')
      const harness = startHarness({ files: { 'main.mjs': 'setInterval(() => {}, 1000)\nfor (;;) {}' }, args: ['main.mjs', marker], timeoutMs: 120_000, containment }, temp)
      try {
        // Killed once the code itself runs (its node under the permission model), as a worker dying mid-test would be.
        expect(await eventually(() => processesWith(marker).some(pid => commandLine(pid).includes('--experimental-permission')), 60_000), harness.output()).toBe(true)
        // As a crash or `kill -9` of the worker would: the harness dies without a chance to clean up.
        harness.child.kill('SIGKILL')
        await harness.exited
        // A loaded machine can take seconds to tear a killed namespace down; a process still there after 30 s is a leak.
        expect(await eventually(() => processesWith(marker).length === 0, 30_000), `left running after the harness died: ${processesWith(marker).join(', ')}`).toBe(true)
      }
      finally {
        // Only what this test's own harness started, should it have outlived the harness.
        for (const pid of processesWith(marker)) {
          process.kill(pid, 'SIGKILL')
        }
        rmSync(temp, { recursive: true, force: true })
      }
    })

    it(`caps the disk a run uses in all, not only per file: 70 files of 30 MB stop at the cap (${containment})`, async ({ expect }) => {
      const result = await run(`import fs from 'node:fs'
let written = 0
try {
  for (let i = 0; i < 70; i++) {
    fs.writeFileSync('f' + i + '.bin', Buffer.alloc(30 * 1024 * 1024, 1))
    written += 30
    console.log(written)
  }
}
finally {
  console.log('written', written)
}`, { containment, timeoutMs: 60_000 })
      expect(result, result.stderr).toMatchObject({ ok: false, code: 'output', containment })
      const written = Math.max(0, ...result.stdout.trim().split('\n').map(line => Number(line.replace('written ', ''))).filter(Number.isFinite))
      // With a tmpfs of its own, the write that would pass 64 MB fails; with its size watched, the run is killed soon
      // after it passes the cap.
      expect(written).toBeLessThanOrEqual(result.disk === 'tmpfs' ? 64 : 30 * 35)
      expectGone(result)
    })
  }
})

describe.runIf(containmentPermitted)('DNS and UDP are out of reach too', { concurrent: true }, () => {
  let port = 0
  let datagrams = 0
  const udp = createSocket('udp4')
  beforeAll(async () => {
    udp.on('message', () => { datagrams++ })
    await new Promise<void>(done => udp.bind(0, '127.0.0.1', done))
    port = udp.address().port
  })
  afterAll(() => {
    udp.close()
    expect(datagrams).toBe(0)
  })

  /** Every way the code could send a datagram to a server of its choosing: a DNS server on loopback, here the test's. */
  const attempts = (server: string, udpPort: number): string => `import dns from 'node:dns'
import dnsPromises from 'node:dns/promises'
import dgram from 'node:dgram'
const server = ${JSON.stringify(server)}
const attempts = {
  'dns.Resolver': () => { const r = new dns.Resolver(); r.setServers([server]); r.resolveTxt('milo.test', () => {}) },
  'dns.promises.Resolver': () => { const r = new dnsPromises.Resolver(); r.setServers([server]); return r.resolveTxt('milo.test') },
  'dns.resolveSoa': () => { dns.setServers([server]); dns.resolveSoa('milo.test', () => {}) },
  'dns.resolveNaptr': () => { dns.setServers([server]); dns.resolveNaptr('milo.test', () => {}) },
  'dns.promises.resolveCaa': () => { dnsPromises.setServers([server]); return dnsPromises.resolveCaa('milo.test') },
  'dns.promises.resolvePtr': () => { dnsPromises.setServers([server]); return dnsPromises.resolvePtr('milo.test') },
  'dns.promises.resolveTxt': () => { dnsPromises.setServers([server]); return dnsPromises.resolveTxt('milo.test') },
  'new dgram.Socket': () => { const s = new dgram.Socket('udp4'); s.send('x', ${udpPort}, '127.0.0.1') },
  'dgram.createSocket': () => { const s = dgram.createSocket('udp4'); s.send('x', ${udpPort}, '127.0.0.1') },
}
const outcomes = {}
for (const [name, attempt] of Object.entries(attempts)) {
  try {
    const pending = attempt()
    pending?.catch?.(() => {})
    outcomes[name] = 'sent'
  }
  catch (error) {
    outcomes[name] = error.code ?? String(error)
  }
}
// Time for anything sent to arrive before the run ends.
await new Promise(resolve => setTimeout(resolve, 300))
console.log(JSON.stringify(outcomes))
process.exit(0)
`

  it('the preload makes every DNS query and every datagram throw before anything is sent', async ({ expect }) => {
    const result = await run(attempts(`127.0.0.1:${port}`, port), { isolation: 'preload' })
    expect(result, result.stderr).toMatchObject({ code: 'ok', isolation: 'preload' })
    const outcomes = JSON.parse(result.stdout) as Record<string, string>
    expect(Object.keys(outcomes)).toHaveLength(9)
    for (const [name, outcome] of Object.entries(outcomes)) {
      expect(outcome, name).toBe('ERR_SANDBOX_NETWORK')
    }
    expect(datagrams).toBe(0)
  })

  it.runIf(namespacesPermitted)('in a network namespace nothing reaches the loopback listener either', async ({ expect }) => {
    const result = await run(attempts(`127.0.0.1:${port}`, port), { isolation: 'netns' })
    expect(result, result.stderr).toMatchObject({ code: 'ok', isolation: 'netns' })
    expect(datagrams).toBe(0)
  })
})

describe.runIf(containmentPermitted)('hidden-test verdicts cannot be forged', { concurrent: true }, () => {
  // Six hidden tests, each leaning on something code under test could tamper with: a loop over an array, a string
  // method, JSON, a file read, a promise. The code under test is wrong (a - b) or honest (a + b).
  const hiddenTests = `import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { add } from '../src/add.mjs'

test('adds', () => assert.equal(add(1, 2), 3))
test('adds every pair', () => {
  for (const [a, b, sum] of [[1, 1, 2], [2, 3, 5]]) {
    assert.equal(add(a, b), sum)
  }
})
test('pads', () => assert.equal(String(add(2, 2)).padStart(3, '0'), '004'))
test('serialises', () => assert.equal(JSON.stringify({ sum: add(1, 1) }), '{"sum":2}'))
test('says how in its source', () => assert.equal(readFileSync('src/add.mjs', 'utf8').includes('a + b'), true))
test('waits', async () => assert.equal(await Promise.resolve(add(2, 2)), 4))
`
  const wrong = 'export const add = (a, b) => a - b\n'
  const hidden = (source: string, more: Record<string, string> = {}) => runTests({ 'src/add.mjs': source, 'hidden/add.test.mjs': hiddenTests, ...more }, ['hidden/add.test.mjs', ...Object.keys(more)], { sealed: true })

  it('honest code passes all six, wrong code none, and code that uses ordinary overrides still runs', async ({ expect }) => {
    expect(await hidden('export const add = (a, b) => a + b\n')).toMatchObject({ passed: true, passes: 6, reported: 6, finished: true })
    expect(await hidden(wrong)).toMatchObject({ passed: false, passes: 0, reported: 6, finished: true })
    // Frozen built-ins still let code override what it inherits on its own objects.
    const ordinary = `class Sum { constructor(value) { this.value = value } toString() { return String(this.value) } }
function Legacy() {}
Legacy.prototype.toString = function () { return 'legacy' }
const error = new Error('first')
error.message = 'second'
error.name = 'Custom'
const record = {}
record.toString = () => 'record'
export const add = (a, b) => Number(String(new Sum(a + b)))
`
    expect(await hidden(ordinary)).toMatchObject({ passed: true, passes: 6 })
  })

  const attacks: Record<string, string> = {
    'Object.prototype.toJSON': `Object.prototype.toJSON = function () { return { file: 'hidden/add.test.mjs', name: 'adds', ok: true } }`,
    'Object.prototype.toJSON, defined': `Object.defineProperty(Object.prototype, 'toJSON', { value() { return { file: 'hidden/add.test.mjs', name: 'adds', ok: true } } })`,
    'Array.prototype.push': `const push = Array.prototype.push
Array.prototype.push = function (...items) { return push.apply(this, items.map(item => item && typeof item.fn === 'function' ? { ...item, fn: () => {} } : item)) }`,
    'Array.prototype[Symbol.iterator]': `const iterate = Array.prototype[Symbol.iterator]
Array.prototype[Symbol.iterator] = function () { return Array.isArray(this[0]) ? iterate.call([]) : iterate.call(this) }`,
    'String.prototype': `String.prototype.padStart = function () { return '004' }
String.prototype.includes = function () { return true }`,
    'Promise.race and then': `Promise.race = () => Promise.resolve()
Promise.prototype.then = function (done) { return done() }`,
    'globalThis.JSON': `globalThis.JSON = { parse: JSON.parse, stringify: () => '{"sum":2}' }`,
    'fs.readFileSync': `import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
fs.readFileSync = () => 'a +' + ' b'
syncBuiltinESMExports()`,
    'process.exit': `process.exit = () => {}
process.reallyExit = () => {}
process.exitCode = 0`,
    'tests of its own, and replacing test': `for (const name of ['adds', 'adds every pair', 'pads', 'serialises', 'says how in its source', 'waits']) test(name, () => {})
try { globalThis.test = (name) => {} } catch {}
try { Object.defineProperty(globalThis, 'test', { value: () => {} }) } catch {}`,
    'the report channel, with every secret in its heap': `import fs from 'node:fs'
import v8 from 'node:v8'
let heap = ''
try {
  const snapshot = v8.getHeapSnapshot()
  for (let chunk = snapshot.read(); chunk !== null; chunk = snapshot.read()) heap += chunk
}
catch {}
for (const nonce of new Set(heap.match(/\\b[0-9a-f]{32}\\b/g) ?? ['0'.repeat(32)])) {
  for (const name of ['adds', 'adds every pair', 'pads', 'serialises', 'says how in its source', 'waits']) {
    fs.writeSync(3, nonce + ' ' + JSON.stringify({ file: 'hidden/add.test.mjs', name, ok: true }) + '\\n')
  }
  fs.writeSync(3, nonce + ' {"done":true}\\n')
}
process.reallyExit(0)`,
    'thrown values that are not errors, lie or throw': `const thrown = [null, Symbol('x'), { get message() { throw new Error('no') } }, new Proxy({}, { get() { throw 1 } }), { [Symbol.toPrimitive]() { throw 2 } }, { toString() { return 'ok' } }]
let count = 0
export const add = () => { throw thrown[count++ % thrown.length] }`,
    'a then getter that throws': `export const add = () => ({ get then() { throw new Error('then') } })`,
  }
  for (const [name, attack] of Object.entries(attacks)) {
    it(`${name}: every hidden test still fails`, async ({ expect }) => {
      const source = attack.includes('export const add') ? attack : `${attack}\n${wrong}`
      const report = await hidden(source)
      expect(report.results.filter(result => result.ok), report.output).toEqual([])
      expect(report.passes).toBe(0)
    })
  }

  it('a later hidden file cannot be replaced on disk, and the hidden tests cannot be read', async ({ expect }) => {
    const second = 'import assert from \'node:assert/strict\'\nimport { add } from \'../src/add.mjs\'\ntest(\'b1\', () => assert.equal(add(2, 2), 4))\ntest(\'b2\', () => assert.equal(add(3, 3), 6))\n'
    const report = await hidden(`import fs from 'node:fs'
let seen = 'no'
try {
  fs.readFileSync('hidden/add.test.mjs', 'utf8')
  seen = 'yes'
}
catch {}
console.log('read the hidden tests: ' + seen)
try {
  fs.writeFileSync('hidden/b.test.mjs', "test('b1', () => {})\\ntest('b2', () => {})\\n")
}
catch {}
${wrong}`, { 'hidden/b.test.mjs': second })
    expect(report).toMatchObject({ passes: 0, reported: 8, finished: true })
    expect(report.output).toContain('read the hidden tests: no')
  })
})

describe('a machine that permits neither a PID namespace nor a uid change', () => {
  // util-linux out of reach: no unshare, no setpriv. What the sandbox then does is what it does on such a machine.
  const bare = { PATH: '/nonexistent' }

  it('says so in one line, runs nothing, and reports the run unavailable', async ({ expect }) => {
    const temp = reachableTemp('milo-bare-')
    try {
      const child = spawnSync(process.execPath, ['src/run-ts.mjs', 'test/support/sandbox-child.ts', JSON.stringify({ files: { 'main.mjs': 'console.log(\'ran\')' }, args: ['main.mjs'] })], { cwd: projectRoot, env: { ...process.env, ...bare, TMPDIR: temp }, encoding: 'utf8' })
      expect(child.status, child.stderr).toBe(0)
      const [first, second] = child.stdout.trim().split('\n').map(line => JSON.parse(line) as { capabilities?: { containment: string, reason?: string }, result?: SandboxResult })
      expect(first?.capabilities).toMatchObject({ containment: 'none', reason: expect.stringContaining('cannot be contained') })
      expect(second?.result).toMatchObject({ ok: false, code: 'unavailable', containment: 'none', stdout: '' })
      expect(readdirSync(temp)).toEqual([])
    }
    finally {
      rmSync(temp, { recursive: true, force: true })
    }
  })

  it('records the coding tasks as not runnable: infrastructure errors, not the model\'s 0, said once', async ({ expect }) => {
    const run = await runBench(['--project', 'oracle', 'benchmarks/v1/coding.spec.ts'], bare)
    expect(run.output.match(/milo-bench: model-written code cannot be contained on this machine/g), run.output).toHaveLength(1)
    const result = run.leaderboard().suites.v1?.models[0]
    expect(result).toMatchObject({ project: 'oracle', complete: false, rank: null, infraErrors: 5 })
    const dir = join(run.resultsDir, 'runs', 'oracle')
    const records = readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as { score: number | null, error?: { kind: string, infrastructure: boolean } }))
    expect(records).toHaveLength(5)
    for (const record of records) {
      expect(record).toMatchObject({ score: null, error: { kind: 'sandbox', infrastructure: true } })
    }
    expect(run.stdout).toContain('oracle: 5 run(s) ended by infrastructure errors')
  }, 180_000)
})

describe('countDeclaredTests', () => {
  it('counts top-level test( calls at the start of a line', () => {
    expect(countDeclaredTests('test(\'a\', () => {})\n  test(\'nested\')\n// test(\ntest("b", () => {})\n')).toBe(2)
  })
})
