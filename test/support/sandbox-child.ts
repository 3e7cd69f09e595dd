// A harness of the tests' own in a child process: runs one sandboxed program (options as JSON in argv) and prints the
// result as JSON, so a test can kill this harness mid-run, or see whether the program could kill its harness.
// `node src/run-ts.mjs test/support/sandbox-child.ts '<SandboxOptions as JSON>'`

import type { SandboxOptions } from '../../src/runtime/sandbox.ts'
import { runSandboxed, sandboxCapabilities } from '../../src/runtime/sandbox.ts'

const options = JSON.parse(process.argv[3] ?? '{}') as SandboxOptions
// A program that wants to aim at its harness gets the harness's pid where its arguments say {harness}.
options.args = options.args.map(arg => arg === '{harness}' ? String(process.pid) : arg)
console.log(JSON.stringify({ harness: process.pid, capabilities: await sandboxCapabilities() }))
const result = await runSandboxed(options)
console.log(JSON.stringify({ result }))
