// `npm run serve`: the embedded reference server on its own, for pointing any OpenAI-compatible client at it
// (`MILO_BASE_URL=<printed URL> MILO_MODEL=oracle npx vitest run --project custom`). It serves the suites the project's
// Vitest config names (MILO_SERVE_CONFIG, default vitest.config.ts), so a user's own suites are served too. Ctrl-C
// stops it.

import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { registeredSuites } from './registry.ts'
import { referenceModels, startReferenceServer } from './reference-server.ts'

const configPath = resolve(process.env.MILO_SERVE_CONFIG ?? 'vitest.config.ts')
if (!existsSync(configPath)) {
  console.error(`milo-bench serve: no config at ${configPath}; run it from the project's root or set MILO_SERVE_CONFIG`)
  process.exit(1)
}
// Loading the config registers its suites (defineBenchConfig); nothing else of Vitest runs.
await import(/* @vite-ignore */ configPath)
const port = Number(process.env.MILO_SERVE_PORT ?? process.argv.slice(2).find(arg => /^\d+$/.test(arg)) ?? 0)
const latencyMs = process.env.MILO_SERVE_LATENCY === undefined ? undefined : Number(process.env.MILO_SERVE_LATENCY)
const suites = registeredSuites()
const server = await startReferenceServer({ suites: [...suites], port, ...(latencyMs === undefined ? {} : { latencyMs }) })
console.log(`milo-bench reference server on ${server.url}, serving ${suites.map(suite => suite.id).join(', ')}`)
console.log(`models: ${referenceModels.join(', ')} (options: oracle,flaw=stop-after-first,latency=250)`)
console.log(`try: MILO_BASE_URL=${server.url} MILO_MODEL=oracle npx vitest run --project custom`)
const stop = (): void => {
  void server.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
await new Promise(() => {})
