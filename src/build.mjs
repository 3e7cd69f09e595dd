// Builds the package (`npm run build`, run by `npm pack` through prepack): TypeScript to JavaScript with declarations
// in dist/, mirroring the repository, and the built-in suites' rubric sources beside their builds, because a suite's
// content hash covers its rubric files as written (src/runtime/stamps.ts), so the installed package stamps the
// built-in suites exactly as this repository does.

import { execFileSync } from 'node:child_process'
import { cpSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
rmSync(dist, { recursive: true, force: true })
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
for (const suite of readdirSync(join(root, 'benchmarks'))) {
  for (const file of readdirSync(join(root, 'benchmarks', suite)).filter(name => name.endsWith('.ts'))) {
    cpSync(join(root, 'benchmarks', suite, file), join(dist, 'benchmarks', suite, file))
  }
}
