// `npm run compare -- [before.json] [after.json]`: loads reporters/compare.ts through Vite's module runner (Vite comes
// with Vitest), so the command needs no TypeScript loader on Node 20, and exits with its verdict.

const { runnerImport } = await import('vite')
const { module } = await runnerImport(new URL('./compare.ts', import.meta.url).pathname)
process.exitCode = module.main(process.argv.slice(2), process.env)
