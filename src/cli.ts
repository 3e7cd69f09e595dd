#!/usr/bin/env node
// The `milo-bench` command, for a project that installed the package: `milo-bench serve` runs the embedded reference
// server for the project's suites, `milo-bench compare` compares two leaderboards (the regression gate). Benchmarks
// run through Vitest itself (`npx vitest run --project <model>`). In this repository, `npm run serve` and
// `npm run compare` run the same commands from source.

import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { main as compare } from '../reporters/compare.ts'
import { serve } from './node/serve.ts'

const usage = `usage: milo-bench <command> [arguments]

commands:
  serve [--config vitest.config.ts] [--port N] [--latency MS]
      the embedded OpenAI-compatible server with the reference models (oracle, paraphrase, confabulator, baseline),
      serving the suites your Vitest config names, on 127.0.0.1 until Ctrl-C
  compare [before.json] [after.json]
      per-suite and per-category deltas between two leaderboard.json files; exits 1 on a regression beyond
      MILO_MAX_REGRESSION (before defaults to MILO_BASELINE, after to results/leaderboard.json)

Benchmarks run through Vitest: npx vitest run --project <model>`

/** The package's version, from its package.json: beside dist/ when installed, beside src/ here. */
function version(): string {
  const manifests = ['../../package.json', '../package.json'].map(path => new URL(path, import.meta.url)).filter(url => existsSync(url))
  const own = manifests.map(url => JSON.parse(readFileSync(url, 'utf8')) as { name?: string, version?: string }).find(manifest => manifest.name === 'milo-bench')
  return own?.version ?? 'unknown'
}

/** Runs one command; the exit code. */
export async function main(args: readonly string[], env: Record<string, string | undefined>): Promise<number> {
  const [command, ...rest] = args
  switch (command) {
    case 'serve':
      return serve(rest, env)
    case 'compare':
      return compare(rest, env)
    case '--version':
    case '-v':
      console.log(version())
      return 0
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(usage)
      return command === undefined ? 2 : 0
    default:
      console.error(`milo-bench: unknown command ${JSON.stringify(command)}\n\n${usage}`)
      return 2
  }
}

// Run as the bin (node_modules/.bin/milo-bench links here), not when imported (tests; src/run-ts.mjs calls main itself).
if (process.argv[1] !== undefined && existsSync(process.argv[1]) && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url) {
  process.exitCode = await main(process.argv.slice(2), process.env)
}
