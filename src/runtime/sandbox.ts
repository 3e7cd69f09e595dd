// The sandbox: the only place model-written code runs. Each run is a child `node` in a fresh scratch directory under
// the OS temp dir, with a wall-time limit, memory and disk limits, no network, no project files, no view of or signal
// to any process outside the run, an environment holding only PATH, and the scratch directory deleted afterwards.
// Whatever the code does is returned as a result, never thrown.
//
// Isolation, from the outside in (what this machine permits is detected once, by trying it):
// - processes: a PID namespace of its own (`unshare -p -f --mount-proc`): the code sees and can signal only its own
//   run. Where namespaces are not permitted and the harness runs as root, a uid of its own instead (`setpriv --reuid`),
//   which can signal only what it started. Where neither is possible the code is not run at all: the result says
//   `unavailable` and the coding runs are recorded as not runnable, never run unprotected. Under root the code also
//   drops to its own uid inside the namespace. Every run is its own process group, killed whole at the deadline, and
//   dies with the harness thread that started it (`setpriv --pdeathsig`, `unshare --kill-child`): no child outlives a
//   run, even when the harness's worker is killed.
// - network: the same namespace has no network (`unshare -n`). Where that is not permitted, a preload makes net, tls,
//   http(s), http2, dgram, dns and fetch throw; the result says which was used.
// - files: Node's permission model (`--experimental-permission`) allows reading and writing the scratch directory
//   only; child processes, workers, the inspector and native addons are refused by it too.
// - disk: the scratch directory is a size-capped tmpfs of the run's own (mounted inside its namespace); without one,
//   its size is checked while the code runs and the code is killed past the cap. `prlimit --fsize` caps each file.
// - memory: `--max-old-space-size` bounds the JavaScript heap; `prlimit --data` (when available) bounds everything
//   else the process maps, buffers included. No core files; a CPU-time limit backs the wall-time limit.
// - time: a wall-clock timer kills the child's whole process group with SIGKILL.
//
// Test runs (`runTests`) load a runner before any code under test (src/runtime/sandbox-runner.ts): verdicts travel on a
// private channel with a per-run secret, built from what the runner captured before that code could change anything.

import type { ResponseCache } from '../models/cache.ts'
import type { SandboxUsed } from '../core/types.ts'
import { execFile, spawn } from 'node:child_process'
import { createHash, randomBytes, randomInt } from 'node:crypto'
import { chown, lstat, mkdir, mkdtemp, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, isAbsolute, join, normalize, sep } from 'node:path'
import { noNetworkPreload, runnerSource, sealedEntrySource, sealedPaths, sealedTestSource, sealSource, testModuleSource } from './sandbox-runner.ts'

/** How the network was taken away: a network namespace, or (weaker) a preload that makes network APIs throw. */
type Isolation = 'netns' | 'preload'

/** How the code was kept from seeing and signalling other processes: a PID namespace, or (weaker) a uid of its own. */
type Containment = 'pidns' | 'uid'

/**
 * How a sandboxed run ended.
 * - `ok`: exited 0 within its limits.
 * - `exit`: exited non-zero for an ordinary reason (a thrown error, a failed assertion).
 * - `timeout`: killed at the wall-time limit.
 * - `memory`: ran out of its heap or data limit.
 * - `denied`: tried to read or write outside its scratch directory, spawn a process, start a worker, or signal a
 *   process outside its run.
 * - `network`: tried to reach the network.
 * - `output`: wrote more than the output cap and was killed, a file past the file-size limit, or more than the disk cap
 *   in all.
 * - `spawn`: the child could not be started (an infrastructure fault, not the code's).
 * - `unavailable`: this machine permits no way to contain the code's processes, so it was not run (infrastructure).
 */
type SandboxCode = 'ok' | 'exit' | 'timeout' | 'memory' | 'denied' | 'network' | 'output' | 'spawn' | 'unavailable'

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
  /** Disk the run may use in all, in MB (default 64), its own files included; each file is also capped at 32 MB. */
  diskMb?: number
  /** Characters kept of stdout and of stderr (default 64 KiB; 16x that of the report channel); a child that writes more than 32x this in all is killed. */
  outputLimit?: number
  /** Force a network isolation (tests use `preload` to prove the fallback); default: the strongest this machine allows. */
  isolation?: Isolation
  /** Force a process containment (tests use `uid` to prove the fallback where it is permitted); default: the strongest. */
  containment?: Containment
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
  /** `none` only with code `unavailable`: nothing ran. */
  containment: Containment | 'none'
  /** `tmpfs`: a size-capped file system of its own; `watch`: its size checked while it ran. */
  disk: 'tmpfs' | 'watch'
  /** `rlimit`: heap, data and file-size limits; `heap`: only the heap limit (prlimit unavailable). */
  memoryLimit: 'rlimit' | 'heap'
  /** The code ran under an unprivileged uid of its own (the harness runs as root). */
  uid: boolean
  /** The scratch directory the code ran in; already deleted when this result is returned. */
  scratch: string
}

/** What this machine permits, found by trying each way once. */
interface Capabilities {
  /** The network isolation runs get by default. */
  isolation: Isolation
  /** The process containment runs get by default; `none`: neither a PID namespace nor a uid change is possible here. */
  containment: Containment | 'none'
  /** How runs' disk use is capped by default. */
  disk: 'tmpfs' | 'watch'
  memoryLimit: 'rlimit' | 'heap'
  /** The harness runs as root and can start code under a uid of its own (setpriv). */
  uidDrop: boolean
  /** A PID namespace can be made (with or without its own network and tmpfs, as isolation and disk say). */
  pidns: boolean
  /** Why the code's processes cannot be contained here, in one line; set when containment is `none`. */
  reason?: string
}

let capabilities: Promise<Capabilities> | undefined

/** Whether `argv -- node -e ''` runs with `cwd`: how what this machine permits is found, by trying it. */
function works(argv: string[], cwd = '/'): Promise<boolean> {
  const [command = '', ...args] = argv
  return new Promise((resolve) => {
    execFile(command, [...args, process.execPath, '-e', ''], { cwd, timeout: 10_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }, error => resolve(error === null))
  })
}

const root = process.getuid?.() === 0

/** A uid (and gid) of the run's own: unused by any account, so it owns nothing and can signal only what it started. */
const freshUid = (): number => 2_000_000_000 + randomInt(100_000_000)

/** Whether a PID namespace (with its network and a tmpfs, as asked) can be made, tried with the run's own command. */
async function namespaceWorks(network: boolean, tmpfs: boolean): Promise<boolean> {
  const scratch = await realpath(await mkdtemp(join(tmpdir(), 'milo-probe-')))
  try {
    const stage = tmpfs ? join(scratch, '.milo', 'stage') : scratch
    await mkdir(stage, { recursive: true, mode: 0o700 })
    return await works(namespaceCommand({ network, tmpfs, scratch, stage, diskBytes: 1024 * 1024, uid: undefined }), scratch)
  }
  finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

async function detect(): Promise<Capabilities> {
  const [rlimit, pdeathsig, uidDrop] = await Promise.all([
    works(['prlimit', '--data=1073741824', '--core=0', '--']),
    works(['setpriv', '--pdeathsig', 'KILL', '--']),
    root ? works(['setpriv', `--reuid=${freshUid()}`, `--regid=${freshUid()}`, '--clear-groups', '--']) : Promise.resolve(false),
  ])
  // A namespace is only as good as its tie to the harness: without setpriv's parent-death signal a killed worker would
  // leave it running, so none is tried without it.
  let namespace: { network: boolean, tmpfs: boolean } | undefined
  if (pdeathsig) {
    for (const candidate of [{ network: true, tmpfs: true }, { network: false, tmpfs: true }, { network: true, tmpfs: false }, { network: false, tmpfs: false }]) {
      if (await namespaceWorks(candidate.network, candidate.tmpfs)) {
        namespace = candidate
        break
      }
    }
  }
  const memoryLimit = rlimit ? 'rlimit' : 'heap'
  if (namespace) {
    return { isolation: namespace.network ? 'netns' : 'preload', containment: 'pidns', disk: namespace.tmpfs ? 'tmpfs' : 'watch', memoryLimit, uidDrop, pidns: true }
  }
  if (uidDrop && pdeathsig) {
    return { isolation: 'preload', containment: 'uid', disk: 'watch', memoryLimit, uidDrop, pidns: false }
  }
  const missing = !pdeathsig ? 'setpriv (util-linux) is not available' : root ? 'the harness runs as root but cannot change uid' : 'the harness does not run as root, so it cannot start code under a uid of its own'
  return {
    isolation: 'preload',
    containment: 'none',
    disk: 'watch',
    memoryLimit,
    uidDrop,
    pidns: false,
    reason: `model-written code cannot be contained on this machine: no PID namespace can be made (unshare -p) and ${missing}; coding tasks are not run`,
  }
}

/** What this machine allows, detected once per process (asynchronously: workers keep answering meanwhile). */
export function sandboxCapabilities(): Promise<Capabilities> {
  capabilities ??= detect()
  return capabilities
}

// Whether every directory above the scratch directories is traversable by other users, by parent: a run only drops to
// a uid of its own where that uid can reach its scratch directory (a private TMPDIR of mode 0700 is not).
const traversable = new Map<string, Promise<boolean>>()

function reachableByOthers(dir: string): Promise<boolean> {
  let known = traversable.get(dir)
  if (!known) {
    known = (async () => {
      for (let current = dir; ; current = dirname(current)) {
        if (((await stat(current)).mode & 0o001) === 0) {
          return false
        }
        if (dirname(current) === current) {
          return true
        }
      }
    })().catch(() => false)
    traversable.set(dir, known)
  }
  return known
}

/**
 * The isolation a coding run's code gets on this machine by default (recorded with the run), or why it cannot be run.
 */
export async function sandboxIsolation(): Promise<{ ok: true, used: SandboxUsed } | { ok: false, reason: string }> {
  const caps = await sandboxCapabilities()
  if (caps.containment === 'none') {
    return { ok: false, reason: caps.reason ?? 'model-written code cannot be contained on this machine' }
  }
  const parent = await realpath(tmpdir())
  const uid = caps.uidDrop && await reachableByOthers(parent)
  if (caps.containment === 'uid' && !uid) {
    return { ok: false, reason: unreachable(parent) }
  }
  return { ok: true, used: { processes: caps.containment, network: caps.isolation, disk: caps.disk, memory: caps.memoryLimit, uid } }
}

/** Why a run that can only be contained by a uid of its own cannot be: that uid could not reach its scratch directory. */
const unreachable = (parent: string): string => `model-written code cannot be contained here: its only containment is a uid of its own, and the temp directory ${parent} is not reachable by other users (make it so with chmod o+x, or set TMPDIR to one that is); coding tasks are not run`

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

const preloadPath = '.milo/no-network.cjs'

/** Largest file the code may write (RLIMIT_FSIZE, with prlimit): a loop writing to disk fails early, not the disk. */
const maxFileBytes = 32 * 1024 * 1024

/** Files the scratch directory may hold when its size is watched: walking more on every check would cost too much. */
const maxWatchedEntries = 10_000

/** How often a watched scratch directory's size is checked, ms. */
const watchIntervalMs = 50

/** Marks a failure of the namespace's own setup (mount, copy), so it reads as the sandbox's fault, not the code's. */
const setupFailed = 'milo-sandbox: the sandbox could not be set up'

/**
 * The namespace's first process, a shell that stays its init: it mounts the run's tmpfs over the scratch directory,
 * copies in the files staged beneath it (still reachable through the shell's working directory), and runs the code
 * as its child, so the code is never the namespace's init (whose signals the kernel would treat specially).
 */
const namespaceScript = (tmpfs: boolean): string => tmpfs
  ? `cd "$1" && mount -t tmpfs -o "$3" milo-sandbox "$2" && cp -a . "$2" && cd "$2" || { echo '${setupFailed}' >&2; exit 125; }
shift 3
unset OLDPWD PWD
"$@"
exit $?`
  : `cd "$2" || { echo '${setupFailed}' >&2; exit 125; }
shift 3
unset OLDPWD PWD
"$@"
exit $?`

/**
 * `setpriv` ties the namespace to the harness thread (it dies with it); `--kill-child` ties the namespace's init to
 * `unshare`, and the kernel kills every process of a PID namespace whose init dies. Without root, a user namespace
 * (`-r`) makes the rest permitted where the kernel allows unprivileged ones.
 */
function namespaceCommand(plan: { network: boolean, tmpfs: boolean, scratch: string, stage: string, diskBytes: number, uid: number | undefined }, rlimit: string[] = []): string[] {
  const owner = plan.uid === undefined ? '' : `,uid=${plan.uid},gid=${plan.uid}`
  return [
    ...tether, '--',
    ...rlimit,
    'unshare', '--pid', '--fork', '--mount-proc', '--kill-child', ...(plan.network ? ['--net'] : []), ...(root ? [] : ['--map-root-user']), '--',
    '/bin/sh', '-c', namespaceScript(plan.tmpfs), 'milo-sandbox', plan.stage, plan.scratch, `size=${plan.diskBytes},nr_inodes=${maxWatchedEntries},mode=0700,nosuid,nodev${owner}`,
    ...(plan.uid === undefined ? [] : dropUid(plan.uid)),
  ]
}

const dropUid = (uid: number): string[] => ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--']

/**
 * The child's first program: it dies with the harness thread that started it. It comes first so the moment a killed
 * harness could miss is as short as possible (from the fork to setpriv's prctl); the CPU-time limit bounds a busy loop
 * started in that moment.
 */
const tether = ['setpriv', '--pdeathsig', 'KILL']

/** Resolves a relative path inside `root`, or throws: sandbox files never land outside their scratch directory. */
function inside(root: string, path: string): string {
  const clean = normalize(path)
  if (path === '' || isAbsolute(path) || clean === '..' || clean.startsWith(`..${sep}`) || path.includes('\0')) {
    throw new Error(`sandbox file path '${path}' must be relative and stay inside the scratch directory`)
  }
  return join(root, clean)
}

/** Throws when one path is a file and also a directory of another: no directory can hold both. */
function checkLayout(paths: string[]): void {
  const files = new Set(paths.map(path => normalize(path)))
  for (const path of files) {
    for (let parent = dirname(path); parent !== '.' && parent !== dirname(parent); parent = dirname(parent)) {
      if (files.has(parent)) {
        throw new Error(`sandbox files '${parent}' and '${path}' cannot both exist: '${parent}' would be a file and a directory`)
      }
    }
  }
}

/** Bytes a directory tree takes on disk (blocks, so sparse files count what they use), or Infinity past the entry cap. */
async function diskUsage(dir: string): Promise<number> {
  let bytes = 0
  let entries = 0
  const pending = [dir]
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const names = await readdir(current).catch(() => [] as string[])
    entries += names.length
    if (entries > maxWatchedEntries) {
      return Number.POSITIVE_INFINITY
    }
    const stats = await Promise.all(names.map(name => lstat(join(current, name)).then(info => ({ name, info }), () => undefined)))
    for (const entry of stats) {
      if (entry) {
        bytes += entry.info.blocks * 512
        if (entry.info.isDirectory()) {
          pending.push(join(current, entry.name))
        }
      }
    }
  }
  return bytes
}

const patterns: [SandboxCode, RegExp][] = [
  ['output', /EFBIG|ENOSPC|EDQUOT/],
  ['memory', /heap out of memory|Array buffer allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Fatal process out of memory|Cannot allocate memory|ENOMEM|Reached heap limit/],
  ['network', /ERR_SANDBOX_NETWORK|ENETUNREACH|EHOSTUNREACH|EAI_AGAIN|ECONNREFUSED|ENOTFOUND|fetch failed/],
  ['denied', /ERR_ACCESS_DENIED|\bkill (?:EPERM|ESRCH)\b/],
]

/** Reads why a child ended from its exit and its stderr: the limit it hit, or what it tried that was refused. */
function classifyExit(exit: { exitCode: number | null, signal: string | null, stderr: string, timedOut: boolean, overflowed: boolean }): SandboxCode {
  if (exit.timedOut) {
    return 'timeout'
  }
  if (exit.overflowed) {
    return 'output'
  }
  if (exit.exitCode === 0 && exit.signal === null) {
    return 'ok'
  }
  if (exit.exitCode === 125 && exit.stderr.includes(setupFailed)) {
    return 'spawn'
  }
  for (const [code, pattern] of patterns) {
    if (pattern.test(exit.stderr)) {
      return code
    }
  }
  // V8 aborts on a fatal out-of-memory before it can always say so.
  return exit.signal === 'SIGABRT' || exit.exitCode === 134 ? 'memory' : 'exit'
}

/** How one run is isolated: the machine's strongest, or a weaker one a test forces. */
interface Plan {
  containment: Containment
  isolation: Isolation
  disk: 'tmpfs' | 'watch'
  uid: number | undefined
}

async function planFor(caps: Capabilities, options: SandboxOptions, scratchParent: string): Promise<Plan | undefined> {
  const containment = options.containment === 'uid' && caps.uidDrop ? 'uid' : caps.containment
  if (containment === 'none') {
    return undefined
  }
  const uid = caps.uidDrop && await reachableByOthers(scratchParent) ? freshUid() : undefined
  if (containment === 'uid') {
    // A uid of its own is the whole containment here: without it (a scratch directory it cannot reach) nothing runs.
    return uid === undefined ? undefined : { containment, isolation: 'preload', disk: 'watch', uid }
  }
  // A namespace asked for where none can be made falls back to the preload, and the result says so: code never runs
  // without one of the two.
  return { containment, isolation: options.isolation === 'preload' ? 'preload' : caps.isolation, disk: caps.disk, uid }
}

/** Runs `node <args>` in a fresh scratch directory holding `files`, under every limit above; never throws for the code's doing. */
export async function runSandboxed(options: SandboxOptions): Promise<SandboxResult> {
  const caps = await sandboxCapabilities()
  const timeoutMs = options.timeoutMs ?? 5000
  const memoryMb = options.memoryMb ?? 128
  const diskBytes = (options.diskMb ?? 64) * 1024 * 1024
  const limit = options.outputLimit ?? 65_536
  checkLayout(Object.keys(options.files))
  const parent = await realpath(tmpdir())
  const scratch = await realpath(await mkdtemp(join(parent, 'milo-sandbox-')))
  const release = await acquire()
  try {
    const plan = await planFor(caps, options, parent)
    const base = { stdout: '', channel: '', durationMs: 0, memoryLimit: caps.memoryLimit, scratch }
    if (!plan) {
      const reason = caps.reason ?? unreachable(parent)
      return { ...base, ok: false, code: 'unavailable', exitCode: null, signal: null, stderr: reason, isolation: caps.isolation, containment: 'none', disk: caps.disk, uid: false }
    }
    // With a tmpfs, files are staged beneath the scratch directory and copied onto the tmpfs mounted over it.
    const stage = plan.disk === 'tmpfs' ? join(scratch, '.milo', 'stage') : scratch
    await writeFiles(stage, { ...options.files, ...(plan.isolation === 'preload' ? { [preloadPath]: noNetworkPreload } : {}) }, plan.uid)
    const nodeArgs = [
      '--experimental-permission',
      `--allow-fs-read=${scratch}`,
      `--allow-fs-write=${scratch}`,
      '--no-warnings',
      '--no-addons',
      `--max-old-space-size=${memoryMb}`,
      ...(plan.isolation === 'preload' ? ['--require', `./${preloadPath}`] : []),
      ...options.args,
    ]
    // A CPU-time limit backs the wall-time limit: it bounds a busy loop even if everything else failed. Node's own
    // threads can use more CPU than wall time, hence the margin.
    const rlimit = caps.memoryLimit === 'rlimit' ? ['prlimit', `--data=${(memoryMb + 256) * 1024 * 1024}`, `--fsize=${maxFileBytes}`, '--core=0', `--cpu=${Math.ceil(timeoutMs * 4 / 1000) + 2}`, '--'] : []
    const contain = plan.containment === 'pidns'
      ? namespaceCommand({ network: plan.isolation === 'netns', tmpfs: plan.disk === 'tmpfs', scratch, stage, diskBytes, uid: plan.uid }, rlimit)
      : [...tether, ...dropUid(plan.uid ?? freshUid()).slice(1), ...rlimit]
    const [command = process.execPath, ...args] = [...contain, process.execPath, ...nodeArgs]
    const ran = await spawnChild(command, args, { cwd: scratch, stdin: options.stdin ?? '', timeoutMs, limit, watch: plan.disk === 'watch' ? { dir: scratch, bytes: diskBytes } : undefined })
    return {
      ...ran,
      ok: ran.code === 'ok',
      isolation: plan.isolation,
      containment: plan.containment,
      disk: plan.disk,
      memoryLimit: caps.memoryLimit,
      uid: plan.uid !== undefined,
      scratch,
    }
  }
  finally {
    release()
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Writes the run's files under `dir`, owned by the run's uid when it has one (so its code can change them). */
async function writeFiles(dir: string, files: Record<string, string>, uid: number | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const owned = new Set<string>([dir])
  for (const [path, content] of Object.entries(files)) {
    const target = inside(dir, path)
    for (let parent = dirname(target); parent !== dir && parent.startsWith(dir); parent = dirname(parent)) {
      owned.add(parent)
    }
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, content)
    owned.add(target)
  }
  if (uid !== undefined) {
    await Promise.all([...owned].map(path => chown(path, uid, uid)))
  }
}

/** What a child's run gives, before the sandbox adds how it was contained. */
type Ran = Pick<SandboxResult, 'code' | 'exitCode' | 'signal' | 'stdout' | 'stderr' | 'channel' | 'durationMs'>

/** Spawns the child as a process group of its own and collects what it says, within its limits. */
function spawnChild(command: string, args: string[], options: { cwd: string, stdin: string, timeoutMs: number, limit: number, watch: { dir: string, bytes: number } | undefined }): Promise<Ran> {
  return new Promise<Ran>((resolve) => {
    const started = performance.now()
    const output = { stdout: '', stderr: '', channel: '' }
    let total = 0
    let timedOut = false
    let overflowed = false
    let settled = false
    const child = spawn(command, args, {
      cwd: options.cwd,
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
    }, options.timeoutMs)
    // Without a tmpfs of its own, the scratch directory's size is checked while the code runs.
    let checking = false
    const watcher = options.watch && setInterval(() => {
      if (checking || overflowed) {
        return
      }
      checking = true
      void diskUsage(options.watch?.dir ?? '').then((bytes) => {
        checking = false
        if (bytes > (options.watch?.bytes ?? 0) && !settled) {
          overflowed = true
          kill()
        }
      })
    }, watchIntervalMs)
    const collect = (key: keyof typeof output) => (chunk: Buffer): void => {
      total += chunk.length
      const keep = key === 'channel' ? 16 * options.limit : options.limit
      if (output[key].length < keep) {
        output[key] += chunk.toString('utf8').slice(0, keep - output[key].length)
      }
      if (total > 32 * options.limit && !overflowed) {
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
    child.stdin?.end(options.stdin)
    const finish = async (exitCode: number | null, signal: string | null, spawnError?: Error): Promise<void> => {
      if (settled) {
        return
      }
      settled = true
      clearTimeout(timer)
      if (watcher) {
        clearInterval(watcher)
        // A run that wrote past the cap between two checks is still past it.
        if (!overflowed && !spawnError && await diskUsage(options.watch?.dir ?? '') > (options.watch?.bytes ?? 0)) {
          overflowed = true
        }
      }
      const durationMs = Math.round(performance.now() - started)
      const code = spawnError ? 'spawn' : classifyExit({ exitCode, signal, stderr: output.stderr, timedOut, overflowed })
      resolve({
        code,
        exitCode,
        signal,
        stdout: output.stdout,
        stderr: spawnError ? `could not start the sandbox: ${spawnError.message}` : output.stderr,
        channel: output.channel,
        durationMs,
      })
    }
    child.on('error', error => void finish(null, null, error))
    child.on('close', (exitCode, signal) => void finish(exitCode, signal))
  })
}

// ---------------------------------------------------------------------------------------------------
// Test runs: the files of a repository plus test files, run by the runner of src/runtime/sandbox-runner.ts.

/** One test's outcome; `name` null means the file itself failed to load (a syntax error, a missing export...). */
interface TestCaseResult {
  file: string
  name: string | null
  ok: boolean
  error?: string
}

interface TestRunOptions {
  /** Wall time for the whole run, ms (default 10 000). */
  timeoutMs?: number
  /** Per test, ms (default 2000): an await that never settles fails its test, not the run. */
  testTimeoutMs?: number
  memoryMb?: number
  diskMb?: number
  isolation?: Isolation
  containment?: Containment
  /**
   * The tests are a task's hidden tests (ES modules), run so the code under test cannot forge their verdicts: built-ins
   * frozen, the tests loaded before and deleted from disk before that code runs, and only the tests they declare
   * themselves counted (src/runtime/sandbox-runner.ts).
   */
  sealed?: boolean
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
  /** How the run's processes were contained (`none`: not run, see code `unavailable`). */
  containment: Containment | 'none'
  /** The scratch directory the tests ran in, already deleted (a report recalled from the cache names the original run's). */
  scratch: string
}

let testRunCache: ResponseCache | undefined

/**
 * Keeps test-run reports in the response cache (src/models/cache.ts): the same files and tests give the same report, so a run
 * replayed from cassettes re-scores without spawning the sandbox again. Set once per worker by src/runtime/bench.ts.
 */
export function useTestRunCache(cache: ResponseCache | undefined): void {
  testRunCache = cache
}

/** Changes with the runner and with the Node that runs the code: a report kept from either's other version is not reused. */
const runnerVersion = createHash('sha256').update(runnerSource).update(testModuleSource).update(noNetworkPreload).update(process.version).digest('hex').slice(0, 12)

/** Runs `tests` (paths of test files among `files`) in the sandbox and reads each test's result. */
export async function runTests(files: Record<string, string>, tests: string[], options: TestRunOptions = {}): Promise<TestRunReport> {
  const key = testRunCache ? createHash('sha256').update(JSON.stringify([runnerVersion, Object.entries(files).sort(([a], [b]) => a.localeCompare(b)), tests, options])).digest('hex') : ''
  const kept = testRunCache?.recall<TestRunReport>('sandbox', key)
  if (kept) {
    return kept
  }
  const report = await runTestsNow(files, tests, options)
  // A run the machine could not start or contain says nothing about the code, and one that ran out of time may say
  // more about the machine's load at that moment than about the code (a kept timeout would fail the same files for
  // every model, every run after): neither is kept.
  if (report.code !== 'spawn' && report.code !== 'unavailable' && report.code !== 'timeout') {
    testRunCache?.remember('sandbox', key, report)
  }
  return report
}

/** The files of a sealed run: each test file bound to its own registry, the entry that loads them all, and the seal. */
function sealedFiles(files: Record<string, string>, tests: string[], key: string): Record<string, string> {
  const out = { ...files }
  tests.forEach((path, index) => {
    const source = files[path]
    if (source === undefined || !path.endsWith('.mjs')) {
      throw new Error(`sealed test file '${path}' must be one of the files and an ES module (.mjs)`)
    }
    out[path] = sealedTestSource(path, source, key, index)
  })
  const paths = sealedPaths(key)
  return { ...out, [paths.tests]: testModuleSource, [paths.entry]: sealedEntrySource(tests, key), [paths.seal]: sealSource(tests, key) }
}

async function runTestsNow(files: Record<string, string>, tests: string[], options: TestRunOptions): Promise<TestRunReport> {
  const nonce = randomBytes(16).toString('hex')
  const key = randomBytes(12).toString('hex')
  const result = await runSandboxed({
    files: { ...(options.sealed ? sealedFiles(files, tests, key) : files), '.milo/runner.mjs': runnerSource },
    // Hidden tests run with frozen built-ins: code under test cannot change how they or the runner behave
    // (src/runtime/sandbox-runner.ts). A repository's own tests run without, so they may mock Date.now or setTimeout.
    args: [...(options.sealed ? ['--frozen-intrinsics'] : []), '.milo/runner.mjs'],
    stdin: JSON.stringify({ nonce, files: tests, testTimeoutMs: options.testTimeoutMs ?? 2000, ...(options.sealed ? { entry: sealedPaths(key).entry } : {}) }),
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.memoryMb === undefined ? {} : { memoryMb: options.memoryMb }),
    ...(options.diskMb === undefined ? {} : { diskMb: options.diskMb }),
    ...(options.isolation === undefined ? {} : { isolation: options.isolation }),
    ...(options.containment === undefined ? {} : { containment: options.containment }),
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
    containment: result.containment,
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
