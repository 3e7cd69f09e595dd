// `npm run serve`: the embedded reference server on its own, for pointing any OpenAI-compatible client at it
// (`MILO_BASE_URL=<printed URL> MILO_MODEL=oracle npx vitest run --project custom`). Ctrl-C stops it.

import { suites } from '../../fixtures/suites.ts'
import { startReferenceServer } from './reference-server.ts'

const port = Number(process.env.MILO_SERVE_PORT ?? process.argv.slice(2).find(arg => /^\d+$/.test(arg)) ?? 0)
const latencyMs = process.env.MILO_SERVE_LATENCY === undefined ? undefined : Number(process.env.MILO_SERVE_LATENCY)
const server = await startReferenceServer({ suites, port, ...(latencyMs === undefined ? {} : { latencyMs }) })
console.log(`milo-bench reference server on ${server.url}`)
console.log(`models: oracle, baseline (options: oracle,flaw=stop-after-first,latency=250)`)
console.log(`try: MILO_BASE_URL=${server.url} MILO_MODEL=oracle npx vitest run --project custom`)
const stop = (): void => {
  void server.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
await new Promise(() => {})
