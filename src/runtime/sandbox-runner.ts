// What runs inside the sandbox before any model-written code: the test runner, the modules that seal a hidden-test run,
// and the preload that takes the network away where no network namespace can be made. Sources as strings, written into
// each run's scratch directory by src/runtime/sandbox.ts; nothing here runs in the harness.
//
// Why the runner is built the way it is: the code under test shares the runner's process, so everything the runner
// relies on to tell a pass from a failure is taken before that code loads and is out of its reach afterwards.
// - It reports with functions it captured at start, and builds each line from primitive strings only: no toJSON,
//   getter or Symbol.toPrimitive of the code under test is ever consulted on the way out.
// A hidden-test run (`sealed`, the only one whose verdicts are scored) goes further:
// - Node's `--frozen-intrinsics` (given by src/runtime/sandbox.ts) freezes Object.prototype, Array.prototype, JSON, Promise
//   and every other built-in before any module runs: `Object.prototype.toJSON = ...` or replacing `Array.prototype.push`
//   throws instead of changing how tests or the runner behave.
// - The runner then makes the global bindings (JSON, Promise, String, setTimeout...) read-only, freezes the built-in
//   modules tests use (assert, fs, path, url, util) and disables the APIs that could read its memory (V8 heap
//   snapshots; the inspector is already refused by the permission model), so the per-run secret cannot be found.
// - It loads all hidden test files as one module graph, so every one of them is read before any code under test runs;
//   the first module of that graph deletes them (and the graph's own files) from disk, so the code can neither read
//   the tests nor replace one that loads later. Each hidden file registers its tests through a module imported under a
//   secret URL, never through the global `test`: tests the code under test declares are not counted.
// A repository's own test run (the model's tool) keeps built-ins and globals as they are, so its tests may mock.

/** The runner: the scratch directory's entry point for a test run. It reads its configuration from stdin. */
export const runnerSource = `import fs from 'node:fs'
import assert from 'node:assert'
import strict from 'node:assert/strict'
import module from 'node:module'
import path from 'node:path'
import url from 'node:url'
import util from 'node:util'
import v8 from 'node:v8'

// Everything the runner uses after code under test has loaded, taken now.
const apply = Reflect.apply
const defineProperty = Reflect.defineProperty
const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor
const ownKeys = Reflect.ownKeys
const freeze = Object.freeze
const writeSync = fs.writeSync
const stringify = JSON.stringify
const slice = String.prototype.slice
const S = String
const P = Promise
const promiseResolve = Promise.resolve
const then = Promise.prototype.then
const setTimer = setTimeout
const clearTimer = clearTimeout
const on = process.on
const reallyExit = process.reallyExit
const config = JSON.parse(fs.readFileSync(0, 'utf8'))
const nonce = config.nonce
const files = config.files
const testTimeoutMs = config.testTimeoutMs
const entry = typeof config.entry === 'string' ? url.pathToFileURL(path.resolve(config.entry)).href : null
const hrefs = []
for (let i = 0; i < files.length; i++) {
  hrefs[i] = url.pathToFileURL(path.resolve(files[i])).href
}

freeze(assert)
freeze(strict)
// A hidden-test run (the only one whose verdicts count) goes further. The global bindings tests and the runner read
// become read-only; lazily loaded web globals (streams, Blob...) are left as they are, as making them read-only breaks
// their first use. The modules tests use are frozen, and V8's ways to read the heap (where the secret is) refused.
if (entry !== null) {
  for (const name of ['process', 'Buffer', 'performance']) {
    const value = globalThis[name]
    defineProperty(globalThis, name, { value, writable: false, enumerable: false, configurable: false })
  }
  for (const name of ownKeys(globalThis)) {
    const descriptor = getOwnPropertyDescriptor(globalThis, name)
    if (descriptor !== undefined && descriptor.configurable === true && 'value' in descriptor) {
      defineProperty(globalThis, name, { value: descriptor.value, writable: false, enumerable: descriptor.enumerable, configurable: false })
    }
  }
  const refuse = (what) => function () {
    const error = new Error(what + ' is disabled in the sandbox')
    error.code = 'ERR_ACCESS_DENIED'
    throw error
  }
  for (const name of ['getHeapSnapshot', 'writeHeapSnapshot', 'setHeapSnapshotNearHeapLimit', 'setFlagsFromString', 'queryObjects']) {
    defineProperty(v8, name, { value: refuse('v8.' + name), writable: false, enumerable: true, configurable: false })
  }
  for (const object of [fs, fs.promises, path, path.posix, url, util, v8]) {
    freeze(object)
  }
  module.syncBuiltinESMExports()
}

const text = (value) => (typeof value === 'string' ? value : 'an unprintable error')
const describe = (error) => {
  try {
    let code = ''
    let message
    if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
      const errorCode = error.code
      if (typeof errorCode === 'string') {
        code = errorCode + ': '
      }
      const errorMessage = error.message
      message = typeof errorMessage === 'string' ? errorMessage : S(error)
    }
    else {
      message = S(error)
    }
    return apply(slice, code + text(message), [0, 600])
  }
  catch {
    return 'an unprintable error'
  }
}
const quote = value => stringify(text(value))
const report = (line) => {
  try {
    writeSync(3, nonce + ' ' + line + '\\n')
  }
  catch {
    apply(reallyExit, process, [70])
  }
}
const result = (file, name, ok, error) => report('{"file":' + quote(file) + ',"name":' + (name === null ? 'null' : quote(name)) + ',"ok":' + (ok ? 'true' : 'false') + (error === undefined ? '' : ',"error":' + quote(error)) + '}')

// The global test(name, fn) of a repository's own tests; a hidden-test run ignores it.
let queue = null
defineProperty(globalThis, 'test', {
  value: (name, fn) => {
    if (queue !== null) {
      queue[queue.count] = { __proto__: null, name: typeof name === 'string' ? name : S(name), fn }
      queue.count = queue.count + 1
    }
  },
  writable: false,
  enumerable: false,
  configurable: false,
})

// An error thrown later by a test's timer or promise fails the test still running, or is reported on its own.
let failCurrent = null
let currentFile = '(none)'
const stray = (error) => {
  if (failCurrent !== null) {
    failCurrent(error)
  }
  else {
    result(currentFile, '(uncaught error)', false, describe(error))
  }
}
apply(on, process, ['uncaughtException', stray])
apply(on, process, ['unhandledRejection', stray])

/** Runs one test: resolves to null when it passed, or to why it failed. */
const outcome = fn => new P((settleOutcome) => {
  let settled = false
  let timer = null
  const settle = (error) => {
    if (!settled) {
      settled = true
      clearTimer(timer)
      failCurrent = null
      settleOutcome(error)
    }
  }
  failCurrent = error => settle(describe(error))
  timer = setTimer(() => settle('test timed out after ' + testTimeoutMs + ' ms'), testTimeoutMs)
  if (typeof fn !== 'function') {
    settle('test body is not a function')
    return
  }
  let value
  try {
    value = apply(fn, undefined, [])
  }
  catch (error) {
    settle(describe(error))
    return
  }
  try {
    apply(then, apply(promiseResolve, P, [value]), [() => settle(null), error => settle(describe(error))])
  }
  catch (error) {
    settle(describe(error))
  }
})

const runAll = async (file, tests) => {
  currentFile = file
  for (let j = 0; j < tests.count; j++) {
    const test = tests[j]
    const error = await outcome(test.fn)
    result(file, test.name, error === null, error === null ? undefined : error)
  }
}

if (entry !== null) {
  let graph = null
  try {
    graph = await import(entry)
  }
  catch (error) {
    const why = describe(error)
    for (let i = 0; i < files.length; i++) {
      result(files[i], null, false, why)
    }
  }
  if (graph !== null) {
    const stores = { __proto__: null }
    for (let i = 0; i < files.length; i++) {
      stores[i] = graph['t' + i]
    }
    for (let i = 0; i < files.length; i++) {
      await runAll(files[i], stores[i])
    }
  }
}
else {
  for (let i = 0; i < files.length; i++) {
    currentFile = files[i]
    queue = { __proto__: null, count: 0 }
    let loaded = true
    try {
      await import(hrefs[i])
    }
    catch (error) {
      loaded = false
      result(files[i], null, false, describe(error))
    }
    const tests = queue
    queue = null
    if (loaded) {
      await runAll(files[i], tests)
    }
  }
}
report('{"done":true}')
apply(reallyExit, process, [0])
`

/**
 * The module through which one hidden test file registers its tests, imported by that file under a URL holding the
 * run's key (`?<file index>` makes one instance per file). Its store is reachable only through that URL.
 */
export const testModuleSource = `const S = String
export const store = { __proto__: null, count: 0 }
export function test(name, fn) {
  store[store.count] = { __proto__: null, name: typeof name === 'string' ? name : S(name), fn }
  store.count = store.count + 1
}
`

/** Where the sealed run's own modules go, named by the run's key so code under test cannot guess them. */
export function sealedPaths(key: string): { entry: string, seal: string, tests: string } {
  return { entry: `.milo/e-${key}.mjs`, seal: `.milo/s-${key}.mjs`, tests: `.milo/t-${key}.mjs` }
}

/** A hidden test file as the sealed run loads it: the same source, with `test` bound to its own registry (same lines). */
export function sealedTestSource(path: string, source: string, key: string, index: number): string {
  const depth = path.split('/').length - 1
  const up = depth === 0 ? './' : '../'.repeat(depth)
  return `import { test } from ${JSON.stringify(`${up}${sealedPaths(key).tests}?${index}`)}; ${source}`
}

/**
 * The entry of a sealed run: first the seal, then every hidden test file, then each file's registry re-exported for the
 * runner. ES modules evaluate in that order once the whole graph is loaded, so the seal runs before any code under test.
 */
export function sealedEntrySource(files: string[], key: string): string {
  const { seal, tests } = sealedPaths(key)
  return [
    `import ${JSON.stringify(`./${seal.slice('.milo/'.length)}`)}`,
    ...files.map(file => `import ${JSON.stringify(`../${file}`)}`),
    ...files.map((_file, i) => `export { store as t${i} } from ${JSON.stringify(`./${tests.slice('.milo/'.length)}?${i}`)}`),
    '',
  ].join('\n')
}

/** The seal: deletes the hidden test files and the sealed run's own modules, all already loaded. */
export function sealSource(files: string[], key: string): string {
  const { entry, seal, tests } = sealedPaths(key)
  return `import { rmSync } from 'node:fs'
for (const path of ${JSON.stringify([...files, entry, seal, tests])}) {
  try {
    rmSync(path, { force: true })
  }
  catch {}
}
`
}

/**
 * The preload of the fallback isolation: every way out to the network throws before a packet is sent. TCP (net, tls,
 * http, https, http2 and their agents), UDP (dgram, its socket class included) and DNS (every query function of dns,
 * dns/promises and both Resolver classes, whose servers a program may choose) are replaced, read-only, before any
 * other module loads.
 */
export const noNetworkPreload = `'use strict'
const deny = (what) => function () {
  const error = new Error('network access is disabled in the sandbox (' + what + ')')
  error.code = 'ERR_SANDBOX_NETWORK'
  throw error
}
const lock = (object, name, value) => {
  Object.defineProperty(object, name, { value, writable: false, enumerable: true, configurable: false })
}
const patch = (object, names, what) => {
  for (const name of names) {
    if (object && typeof object[name] === 'function') {
      lock(object, name, deny(what + '.' + name))
    }
  }
}
const patchQueries = (object, what) => {
  for (const name of Object.getOwnPropertyNames(object)) {
    if (/^(?:lookup|resolve|reverse)/.test(name) && typeof object[name] === 'function') {
      lock(object, name, deny(what + '.' + name))
    }
  }
}
// Every module is loaded before any is patched: a module that copies a function from another at load time (https's
// Agent from http's) must not meet a read-only property.
const [net, tls, http, https, http2, dgram, dns] = ['net', 'tls', 'http', 'https', 'http2', 'dgram', 'dns'].map(name => require('node:' + name))
patch(net.Socket.prototype, ['connect'], 'net.Socket')
patch(net, ['connect', 'createConnection', 'createServer'], 'net')
patch(net.Server.prototype, ['listen'], 'net.Server')
patch(tls, ['connect', 'createServer'], 'tls')
for (const [module, what] of [[http, 'http'], [https, 'https']]) {
  patch(module, ['request', 'get', 'createServer'], what)
  patch(module.Agent.prototype, ['createConnection', 'createSocket'], what + '.Agent')
}
patch(http2, ['connect', 'createServer', 'createSecureServer'], 'http2')
patch(dgram.Socket.prototype, ['bind', 'send', 'connect', 'addMembership', 'addSourceSpecificMembership'], 'dgram.Socket')
patch(dgram, ['createSocket', 'Socket', '_createSocketHandle'], 'dgram')
for (const [object, what] of [[dns, 'dns'], [dns.promises, 'dns.promises']]) {
  // setServers rebinds the query functions, which are read-only from here on: it is refused too.
  patch(object, ['setServers'], what)
  patchQueries(object, what)
  if (object.Resolver) {
    patchQueries(object.Resolver.prototype, what + '.Resolver')
    patch(object, ['Resolver'], what)
  }
}
for (const name of ['fetch', 'WebSocket', 'EventSource']) {
  if (name in globalThis) {
    Object.defineProperty(globalThis, name, { value: deny(name), writable: false, configurable: false })
  }
}
require('node:module').syncBuiltinESMExports()
`
