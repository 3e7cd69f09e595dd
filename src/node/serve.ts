// `milo-bench serve` (`npm run serve` here): the embedded reference server on its own, for pointing any
// OpenAI-compatible client at it (`MILO_BASE_URL=<printed URL> MILO_MODEL=oracle npx vitest run --project custom`, or
// an agent of your own). It serves the suites the project's Vitest config names, so a project's own suites are served
// too: the config is loaded through Vite's module runner (Node 20 cannot import TypeScript), and loading it registers
// its suites (defineBenchConfig); nothing else of Vitest runs. It listens on 127.0.0.1 until Ctrl-C.

import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import * as vite from 'vite'
import { registeredSuitesOrNone } from './registry.ts'
import { referenceModels, startReferenceServer } from './reference-server.ts'

export const serveUsage = 'usage: milo-bench serve [--config vitest.config.ts] [--port N] [--latency MS]'

interface ServeOptions {
  config: string
  port: number
  latencyMs?: number
}

/** The command line and environment as options, or the one line saying what is wrong with them. */
export function serveOptions(args: readonly string[], env: Record<string, string | undefined>): ServeOptions | string {
  const values: Record<string, string | undefined> = { config: env.MILO_SERVE_CONFIG, port: env.MILO_SERVE_PORT, latency: env.MILO_SERVE_LATENCY }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const flag = /^--(config|port|latency)(?:=(.*))?$/.exec(arg)
    if (flag) {
      const value = flag[2] ?? args[++i]
      if (value === undefined) {
        return `--${flag[1]} needs a value; ${serveUsage}`
      }
      values[flag[1] ?? ''] = value
    }
    else if (/^\d+$/.test(arg)) {
      values.port = arg // `npm run serve -- 8765`, as earlier versions took it
    }
    else {
      return `unknown argument ${JSON.stringify(arg)}; ${serveUsage}`
    }
  }
  const port = Number(values.port ?? 0)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    return `the port must be a whole number from 0 to 65535 (0 picks a free one), not ${JSON.stringify(values.port)}`
  }
  const latencyMs = values.latency === undefined ? undefined : Number(values.latency)
  if (latencyMs !== undefined && (!Number.isFinite(latencyMs) || latencyMs < 0)) {
    return `the latency must be a number of milliseconds, 0 or more, not ${JSON.stringify(values.latency)}`
  }
  return { config: resolve(values.config ?? 'vitest.config.ts'), port, ...(latencyMs === undefined ? {} : { latencyMs }) }
}

/** Serves until SIGINT or SIGTERM; the exit code (1 when the config cannot be loaded or names no suite, 2 on a usage error). */
export async function serve(args: readonly string[], env: Record<string, string | undefined>, print: (line: string) => void = console.log): Promise<number> {
  const options = serveOptions(args, env)
  if (typeof options === 'string') {
    console.error(`milo-bench serve: ${options}`)
    return 2
  }
  if (!existsSync(options.config)) {
    console.error(`milo-bench serve: no config at ${options.config}; run it from the project's root, or name the config with --config`)
    return 1
  }
  // Vite comes with Vitest; its module runner (Vite 6.1 and later) loads a TypeScript config on Node 20.
  if (typeof (vite as { runnerImport?: unknown }).runnerImport !== 'function') {
    console.error(`milo-bench serve: needs Vite 6.1 or later to load ${options.config} (this project has Vite ${vite.version})`)
    return 1
  }
  try {
    await vite.runnerImport(options.config)
  }
  catch (error) {
    console.error(`milo-bench serve: ${options.config} could not be loaded: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  const suites = registeredSuitesOrNone()
  if (suites.length === 0) {
    console.error(`milo-bench serve: ${options.config} names no suite: build it with defineBenchConfig from milo-bench/config`)
    return 1
  }
  let server: Awaited<ReturnType<typeof startReferenceServer>>
  try {
    server = await startReferenceServer({ suites: [...suites], port: options.port, ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }) })
  }
  catch (error) {
    const code = (error as { code?: string }).code
    console.error(`milo-bench serve: cannot listen on 127.0.0.1:${options.port} (${code === 'EADDRINUSE' ? 'the port is in use' : code ?? (error as Error).message}); name another with --port, or 0 for a free one`)
    return 1
  }
  print(`milo-bench reference server on ${server.url}, serving ${suites.map(suite => suite.id).join(', ')}`)
  print(`models: ${referenceModels.join(', ')} (options: oracle,flaw=stop-after-first,latency=250)`)
  print(`try: MILO_BASE_URL=${server.url} MILO_MODEL=oracle npx vitest run --project custom`)
  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolveStop()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await server.close()
  return 0
}
