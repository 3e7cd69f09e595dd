// Runs a TypeScript entry point through Vite's module runner (Node 20 has no TypeScript loader of its own; Vite comes
// with Vitest): `node src/run-ts.mjs <file.ts> [args]`. An entry that exports `main(args, env)` has its return value
// as the exit code (`npm run compare`); any other runs its top-level code (`npm run serve`, `npm run perf`).
import { runnerImport } from 'vite'

const entry = process.argv[2]
if (!entry) {
  console.error('usage: node src/run-ts.mjs <file.ts, relative to the project root> [args]')
  process.exit(2)
}
const { module } = await runnerImport(new URL(`../${entry}`, import.meta.url).pathname)
if (typeof module.main === 'function') {
  process.exitCode = await module.main(process.argv.slice(3), process.env)
}
