// The editing loop: with the UI open (watch mode), editing one prompt reruns what depends on it, and only that
// prompt's calls reach the model; the rest come from the response cache (counted at the server). The UI's list, read in
// a browser, names each run with its score, in a page opened after the run and in one left open across the rerun.

import type { ChildProcess } from 'node:child_process'
import type { LeaderboardFile, RunRecord } from '../src/core/types.ts'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { categorySources, keepOnRerun } from '../src/node/watch.ts'
import { launchChromium } from './support/chromium.ts'
import { useReferenceServer } from './support/reference-server.ts'
import { root } from './support/run-bench.ts'

const freePort = (): Promise<number> => new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const address = server.address()
    server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
  })
})

/** Vitest in watch mode in a child process; `runEnded(n)` resolves once the leaderboard has been written n times. */
function watchVitest(args: string[], cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess, output: () => string, runEnded: (count: number) => Promise<void> } {
  const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), ...args], { cwd, env })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const runEnded = (count: number): Promise<void> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`watch run ${String(count)} did not end:\n${output}`)), 90_000)
    const check = setInterval(() => {
      if (output.split('milo-bench: results in').length - 1 >= count) {
        clearTimeout(timer)
        clearInterval(check)
        resolve()
      }
    }, 50)
  })
  return { child, output: () => output, runEnded }
}

/** Every run record in a results folder, oldest file first, in the order written. */
const recordsOf = (dir: string): RunRecord[] => {
  const runs = join(dir, 'runs')
  return readdirSync(runs).flatMap(project => readdirSync(join(runs, project)).sort().flatMap(file => readFileSync(join(runs, project, file), 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line) as RunRecord)))
}

describe('which spec files a watch rerun keeps', () => {
  const sources = categorySources(suites, root, (suite, path) => join(suite.root ?? root, path))
  const spec = (path: string): string => join(root, path)

  it('maps every category of the built-in suites from its task file to its spec file', () => {
    expect(sources.get(join(root, 'fixtures/classic/single-tool.json'))).toEqual([spec('benchmarks/classic/single-tool.spec.ts')])
    expect(sources.get(join(root, 'fixtures/v1/long-context.json'))).toEqual([spec('benchmarks/v1/long-context.spec.ts')])
    expect(sources.size).toBe(suites.reduce((n, suite) => n + suite.categories.length, 0))
  })

  it('an edited task file keeps its category\'s spec file (and files no category owns); any other edit keeps all', () => {
    const keep = keepOnRerun(new Set([join(root, 'fixtures/classic/single-tool.json')]), sources)
    expect(keep(spec('benchmarks/classic/single-tool.spec.ts'))).toBe(true)
    expect(keep(spec('benchmarks/classic/multi-step.spec.ts'))).toBe(false)
    expect(keep(spec('benchmarks/v1/tool-calling.spec.ts'))).toBe(false)
    expect(keep(join(root, 'my-own.test.ts'))).toBe(true)
    const two = keepOnRerun(new Set([join(root, 'fixtures/classic/single-tool.json'), join(root, 'fixtures/v1/coding.json')]), sources)
    expect([two(spec('benchmarks/classic/single-tool.spec.ts')), two(spec('benchmarks/v1/coding.spec.ts')), two(spec('benchmarks/v1/multi-step.spec.ts'))]).toEqual([true, true, false])
    const rubric = keepOnRerun(new Set([join(root, 'fixtures/classic/single-tool.json'), join(root, 'src/core/answers.ts')]), sources)
    expect(rubric(spec('benchmarks/classic/multi-step.spec.ts'))).toBe(true)
    expect(keepOnRerun(new Set(), sources)(spec('benchmarks/classic/multi-step.spec.ts'))).toBe(true)
  })
})

describe('watch mode and the UI', () => {
  const server = useReferenceServer()
  let child: ChildProcess | undefined
  let copy: string
  beforeAll(async () => {
    // A copy of the project, so editing its prompts cannot disturb other tests.
    copy = mkdtempSync(join(tmpdir(), 'milo-watch-'))
    for (const entry of ['benchmarks', 'fixtures', 'src', 'reporters', 'vitest.config.ts', 'package.json', 'tsconfig.json']) {
      cpSync(join(root, entry), join(copy, entry), { recursive: true })
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
  })
  let closeBrowser = async (): Promise<void> => {}
  afterAll(async () => {
    child?.kill('SIGKILL')
    await closeBrowser()
  })

  it('editing one prompt makes exactly that prompt\'s model calls', async () => {
    const port = await freePort()
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, FORCE_COLOR: '0', MILO_BASE_URL: server.url, MILO_MODEL: 'oracle', MILO_CONCURRENCY: '4', MILO_RESULTS_DIR: join(copy, 'results') }
    // Two suites: the edited one, and one whose row must stay complete (coding-agent's sandboxes would add only time).
    const watch = watchVitest(['--ui', '--watch', '--open=false', `--api.port=${port}`, '--project', 'custom', 'benchmarks/classic', 'benchmarks/v1'], copy, env)
    child = watch.child
    const { runEnded } = watch

    await runEnded(1)
    // The UI opened after the run: its list names every run with its score, and the task with their mean, as the
    // leaderboard has them.
    const browser = await launchChromium()
    closeBrowser = () => browser.context.close()
    const page = await browser.context.newPage()
    await page.goto(`http://127.0.0.1:${port}/__vitest__/`)
    // The list draws only the rows in view: once it has loaded, search narrows it to the task read here.
    await page.locator('[data-testid="explorer-item"]').first().waitFor()
    await page.getByPlaceholder('Search...').fill('weather-paris')
    // The runs listed, top to bottom: the list recycles its rows, moving those it does not use out of view.
    const listed = (): Promise<string[]> => page.evaluate(`[...document.querySelectorAll('[data-testid="explorer-item"]')]
      .filter(row => row.checkVisibility() && row.getBoundingClientRect().bottom > 0 && row.getBoundingClientRect().top < innerHeight)
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map(row => row.innerText.split('\\n')[0].trim())
      .filter(name => name.startsWith('weather-paris') || name.startsWith('run '))`)
    const label = (score: number | null): string => (score === null ? 'not scored' : `${score.toFixed(2)}/3`)
    const labels = (runs: (number | null)[] | undefined): string[] => {
      const scored = (runs ?? []).filter((score): score is number => score !== null)
      const mean = scored.length === 0 ? null : scored.reduce((a, b) => a + b, 0) / scored.length
      return [`weather-paris · ${label(mean)}`, ...(runs ?? []).map((score, i) => `run ${i + 1} · ${label(score)}`)]
    }
    const scoresOf = (task: string): (number | null)[] | undefined => (JSON.parse(readFileSync(join(copy, 'results', 'leaderboard.json'), 'utf8')) as LeaderboardFile)
      .suites.classic?.models.find(model => model.project === 'custom')?.tasks[task]?.runs
    await expect.poll(() => listed(), { timeout: 10_000 }).toEqual(labels(scoresOf('weather-paris')))
    expect(scoresOf('weather-paris')).toEqual([3, 3, 3])
    const before = new Map(server.requests)

    const file = join(copy, 'fixtures/classic/single-tool.json')
    const original = 'What\'s the weather like in Paris right now?'
    const edited = 'What\'s the weather like in Paris at the moment?'
    const text = readFileSync(file, 'utf8')
    expect(text).toContain(original)
    server.prompts.length = 0
    const recordsBefore = recordsOf(join(copy, 'results')).length
    writeFileSync(file, text.replace(original, edited))
    await runEnded(2)
    // The page stayed open: the rerun's tests (and their task) are named with their new scores as they end.
    expect(scoresOf('weather-paris')).not.toEqual([3, 3, 3])
    await expect.poll(() => listed(), { timeout: 10_000 }).toEqual(labels(scoresOf('weather-paris')))
    await closeBrowser()

    const calls = (server.requests.get('oracle') ?? 0) - (before.get('oracle') ?? 0)
    const classic = suites.find(s => s.id === 'classic')
    const runs = classic?.runs ?? 0
    // The edited prompt is new to the cache: one call per run (the oracle does not know it and answers at once).
    expect(server.prompts).toEqual(Array.from({ length: runs }, () => edited))
    expect(calls).toBe(runs)
    // Only the edited category's spec file ran again: its runs are the only records written after the edit.
    const rerun = recordsOf(join(copy, 'results')).slice(recordsBefore)
    const singleTool = classic?.categories.find(category => category.id === 'single-tool')?.tasks.length ?? 0
    expect(new Set(rerun.map(record => `${record.suite.id}/${record.category}`))).toEqual(new Set(['classic/single-tool']))
    expect(rerun).toHaveLength(singleTool * runs)
    // The classic row is scored against the edited suite alone: partial until the other categories run again.
    const board = JSON.parse(readFileSync(join(copy, 'results', 'leaderboard.json'), 'utf8')) as LeaderboardFile
    const row = board.suites.classic?.models.find(model => model.project === 'custom')
    expect(Object.keys(row?.tasks ?? {})).toHaveLength(singleTool)
    expect(row?.complete).toBe(false)
    expect(watch.output()).toMatch(/milo-bench: classic: \d+ task result\(s\) of the suite before the last edit are left out until they run again/)
    expect(board.suites.v1?.models.find(model => model.project === 'custom')?.complete).toBe(true)
  }, 180_000)

  it('an edited prompt keeps the embedded oracle at full marks: it finds the task by id, not by the prompt it knew', async () => {
    child?.kill('SIGKILL')
    const port = await freePort()
    const results = join(copy, 'results-oracle')
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, FORCE_COLOR: '0', MILO_RESULTS_DIR: results, MILO_ENV_FILE: '/dev/null' }
    const watch = watchVitest(['--watch', `--api.port=${port}`, '--project', 'oracle', 'benchmarks/classic/single-tool.spec.ts'], copy, env)
    child = watch.child
    const { runEnded } = watch
    await runEnded(1)
    const file = join(copy, 'fixtures/classic/single-tool.json')
    const text = readFileSync(file, 'utf8')
    const original = 'My colleague works from Mumbai. What time is it there right now?'
    expect(text).toContain(original)
    writeFileSync(file, text.replace(original, 'What time is it right now in Mumbai, where my colleague works?'))
    await runEnded(2)
    const board = JSON.parse(readFileSync(join(results, 'leaderboard.json'), 'utf8')) as { suites: Record<string, { models: { project: string, tasks: Record<string, { runs: number[] }> }[] }> }
    const oracle = board.suites.classic?.models.find(model => model.project === 'oracle')
    expect(oracle?.tasks['time-in-mumbai']?.runs, watch.output().slice(-3000)).toEqual([3, 3, 3])
  }, 180_000)
})
