// `npm run examples` (CI runs it): packs milo-bench as `npm pack` does, installs the tarball into a fresh copy of each
// example project as a user would (`npm install`), type-checks the one that has a tsconfig, runs `npx vitest run`
// there, and checks the leaderboard it wrote: the example's own suite ranked with the oracle at 100%, and the agent
// example's row present and, its loop driving the oracle, at 100% too (a check it fails is a rubric unfair to agents);
// in the suite example it also runs the installed `milo-bench` command (compare, and serve with the example's config).
// Needs the npm registry for the examples' own dependencies.

import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'milo-examples-'))
const run = (command, args, cwd) => {
  const started = Date.now()
  console.log(`examples: ${cwd === root ? '' : `${cwd}: `}${command} ${args.join(' ')}`)
  // A clean environment for the example: none of this checkout's MILO_* settings or Vitest's variables.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MILO_') && !key.startsWith('VITEST') && !key.startsWith('npm_')))
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...env, MILO_ENV_FILE: '/dev/null' } })
  console.log(`examples: done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
/**
 * The installed `milo-bench` command in the example's folder: `compare` on the leaderboard it wrote, then `serve`, which
 * must load the example's TypeScript config, name its suite, answer GET /models, and stop on SIGTERM with exit 0.
 */
async function tryCommand(dir, suite) {
  run('npx', ['milo-bench', 'compare', 'results/leaderboard.json', 'results/leaderboard.json'], dir)
  // The bin npx runs, started directly: a signal to npx would not reach the server it starts.
  console.log(`examples: ${dir}: node_modules/.bin/milo-bench serve --port 0`)
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MILO_') && !key.startsWith('VITEST') && !key.startsWith('npm_')))
  const child = spawn(join(dir, 'node_modules', '.bin', 'milo-bench'), ['serve', '--port', '0'], { cwd: dir, env: { ...env, MILO_ENV_FILE: '/dev/null' }, stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.on('data', chunk => (output += chunk))
  const exited = new Promise(resolve => child.on('close', code => resolve(code)))
  try {
    for (const started = Date.now(); !/serving /.test(output); await new Promise(resolve => setTimeout(resolve, 100))) {
      if (Date.now() - started > 60_000 || child.exitCode !== null) {
        throw new Error(`milo-bench serve did not start: ${JSON.stringify(output)}`)
      }
    }
    const url = /on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output)?.[1]
    const models = await (await fetch(`${url}/models`)).json()
    if (!new RegExp(`serving [^\n]*\\b${suite}\\b`).test(output) || !models.data.some(model => model.id === 'oracle')) {
      throw new Error(`milo-bench serve: expected it to serve ${suite} and list oracle: ${JSON.stringify(output)} ${JSON.stringify(models)}`)
    }
  }
  finally {
    child.kill('SIGTERM')
  }
  const code = await exited
  if (code !== 0) {
    throw new Error(`milo-bench serve exited ${code} on SIGTERM`)
  }
  console.log(`examples: ${dir}: milo-bench serve served ${suite} and stopped`)
}

const expectations = {
  'own-suite': { suite: 'library', rows: ['oracle', 'baseline'], command: true },
  'own-agent': { suite: 'shop', rows: ['oracle', 'my-agent'], also: 'classic', full: ['oracle', 'my-agent'] },
}
let failed = false
try {
  run('npm', ['pack', '--pack-destination', work], root)
  const tarball = join(work, readdirSync(work).find(name => name.endsWith('.tgz')) ?? 'missing.tgz')
  for (const [name, expected] of Object.entries(expectations)) {
    const dir = join(work, name)
    cpSync(join(root, 'examples', name), dir, { recursive: true, filter: path => !/[/\\](node_modules|results)([/\\]|$)/.test(path) })
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    manifest.devDependencies['milo-bench'] = `file:${tarball}`
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    run('npm', ['install', '--no-audit', '--no-fund'], dir)
    if (existsSync(join(dir, 'tsconfig.json'))) {
      run('npx', ['tsc', '--noEmit', '-p', '.'], dir)
    }
    run('npx', ['vitest', 'run'], dir)
    if (expected.command) {
      await tryCommand(dir, expected.suite)
    }
    const board = JSON.parse(readFileSync(join(dir, 'results', 'leaderboard.json'), 'utf8'))
    for (const suiteId of [expected.suite, ...(expected.also ? [expected.also] : [])]) {
      const models = board.suites[suiteId]?.models ?? []
      const problems = [
        ...expected.rows.filter(project => !models.some(model => model.project === project)).map(project => `no row for ${project}`),
        ...(expected.full ?? ['oracle']).filter(project => models.find(model => model.project === project)?.percent !== 100).map(project => `${project} is not at 100%`),
        ...(models.find(model => model.project === 'oracle')?.rank === 1 ? [] : ['the oracle is not ranked first']),
      ]
      if (problems.length > 0) {
        failed = true
        console.error(`examples: ${name}, suite ${suiteId}: ${problems.join('; ')}`)
      }
      else {
        console.log(`examples: ${name}, suite ${suiteId}: ${models.map(model => `${model.project} ${model.percent}%`).join(', ')}`)
      }
    }
  }
}
catch (error) {
  failed = true
  console.error(`examples: ${error instanceof Error ? error.message : String(error)}`)
}
finally {
  rmSync(work, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
