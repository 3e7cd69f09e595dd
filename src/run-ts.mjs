// Runs a TypeScript entry point through Vite's module runner (Node 20 has no TypeScript loader of its own).
import { runnerImport } from 'vite'

const entry = process.argv[2]
if (!entry) {
  console.error('usage: node src/run-ts.mjs <file.ts, relative to the project root>')
  process.exit(2)
}
await runnerImport(new URL(`../${entry}`, import.meta.url).pathname)
