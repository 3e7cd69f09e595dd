// The 600-call loopback workload of `npm run perf`, whole-process, against its floor: the same calls made by bare
// Vitest with the openai SDK, one test per call. Both run as a user runs them (`vitest run` in a project folder of
// their own), against one embedded server, at concurrency 8 and no simulated latency; each pair runs in turn and the
// figures are medians. Marginal cost per call comes from two sizes (600 and 60 calls); peak memory is the whole
// process tree's resident set (main process and workers), sampled from /proc every 50 ms.

import type { ReferenceServer } from '../../src/node/reference-server.ts'
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startReferenceServer } from '../../src/node/reference-server.ts'
import { cleanEnv, root } from '../support/run-bench.ts'
import { lookupOrder, workloadPrompt, workloadRuns, workloadSuite } from './workload-suite.ts'

export interface ProcessRun {
  wallMs: number
  /** Undefined where /proc cannot tell (see treeRss). */
  peakRssMiB: number | undefined
  /** CPU time this process (the embedded server, and the sampling of the child's memory) spent on the run, per call. */
  serverMsPerCall: number
}

export interface WorkloadFigures {
  calls: { large: number, small: number }
  milo: { large: ProcessRun, small: ProcessRun }
  floor: { large: ProcessRun, small: ProcessRun }
  /** Extra wall time per call beyond the first `small` calls: (large - small) / (large calls - small calls). */
  marginalMs: { milo: number, floor: number }
  repeats: number
}

const concurrency = 8

/**
 * The resident set of a process and all its descendants, in bytes, from /proc (VmRSS, and each thread's `children`);
 * undefined where this system cannot tell (no /proc, a kernel without the children files).
 */
function treeRss(pid: number): number | undefined {
  let total = 0
  const pending = [pid]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    let status: string
    let threads: string[]
    try {
      status = readFileSync(`/proc/${String(next)}/status`, 'utf8')
      threads = readdirSync(`/proc/${String(next)}/task`)
    }
    catch {
      if (next === pid) {
        // The process has just ended (nothing to add), or this system has no /proc (nothing to tell).
        return existsSync('/proc/self/status') ? 0 : undefined
      }
      continue // the process ended while we looked
    }
    total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024
    for (const thread of threads) {
      try {
        const children = readFileSync(`/proc/${String(next)}/task/${thread}/children`, 'utf8').trim()
        pending.push(...(children === '' ? [] : children.split(' ').map(Number)))
      }
      catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(`/proc/${String(next)}/task/${thread}`)) {
          return undefined // the thread is there, its children file is not: this kernel cannot list children
        }
      }
    }
  }
  return total
}

function timed(args: string[], cwd: string, env: Record<string, string>, calls: number): Promise<ProcessRun & { output: string, code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const cpu = process.cpuUsage()
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...args], { cwd, env: cleanEnv(env) })
    let output = ''
    let peak: number | undefined = 0
    const sampler = setInterval(() => {
      if (child.pid !== undefined) {
        const rss = treeRss(child.pid)
        peak = rss === undefined || peak === undefined ? undefined : Math.max(peak, rss)
      }
    }, 50)
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(sampler)
      const used = process.cpuUsage(cpu)
      resolve({ wallMs: performance.now() - started, peakRssMiB: peak === undefined ? undefined : peak / 1024 / 1024, serverMsPerCall: (used.user + used.system) / 1000 / calls, output, code })
    })
  })
}

/**
 * A project folder of the user's own. Its node_modules is a folder of links to this checkout's packages, so what
 * Vitest writes there (its results cache) stays in the project.
 */
function project(prefix: string, files: Record<string, string>, withMilo = false): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  linkModules(dir, withMilo)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }))
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text)
  }
  return dir
}

/**
 * The project's dependencies, linked from this checkout; with milo-bench as a user has it: the package built (`npm
 * run build`, as `npm pack` does) and installed beside them, so Vite loads it as a package, not as sources.
 */
function linkModules(dir: string, withMilo: boolean): void {
  const modules = join(dir, 'node_modules')
  mkdirSync(modules)
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (!entry.startsWith('.')) {
      symlinkSync(join(root, 'node_modules', entry), join(modules, entry))
    }
  }
  if (!withMilo) {
    return
  }
  const own = join(modules, 'milo-bench')
  mkdirSync(own)
  cpSync(join(root, 'package.json'), join(own, 'package.json'))
  cpSync(join(root, 'dist'), join(own, 'dist'), { recursive: true })
}

/** milo-bench on a user-added suite: its config, the suite (the workload's tasks) and the category's rubric. */
function miloProject(): string {
  const suite = readFileSync(join(import.meta.dirname, 'workload-suite.ts'), 'utf8').replaceAll(/'\.\.\/\.\.\/src\/[\w/.-]+\.ts'/g, '\'milo-bench\'')
  return project('milo-perf-milo-', {
    'vitest.config.ts': `import { defineBenchConfig } from 'milo-bench/config'\nimport { suite } from './suite.ts'\n\nexport default defineBenchConfig({ suites: [suite] })\n`,
    'suite.ts': `${suite}\nexport const suite = workloadSuite(Number(process.env.WORKLOAD_TASKS), new URL('.', import.meta.url))\n`,
    'lookup.spec.ts': [
      `import { describeCategory } from 'milo-bench'`,
      `import { suite } from './suite.ts'`,
      ``,
      `describeCategory(suite, 'lookup', { points: 1 }, async (task, { run, expect }) => {`,
      `  expect.soft(await run(task)).toCallTool('lookup_order', task.expect.arguments, { label: 'looked the order up' })`,
      `})`,
      ``,
    ].join('\n'),
  }, true)
}

/** The floor: bare Vitest and the openai SDK, one concurrent test per call, the same requests, no harness around them. */
function floorProject(tasks: number): string {
  const prompts = Array.from({ length: tasks }, (_, index) => workloadPrompt(index))
  const tool = { type: 'function', function: { name: lookupOrder.name, description: lookupOrder.description, parameters: lookupOrder.parameters } }
  return project('milo-perf-floor-', {
    // The pool milo-bench's config uses (threads), so both hand results to the main process the same way.
    'vitest.config.ts': `export default { test: { include: ['floor.test.ts'], pool: 'threads', maxConcurrency: ${String(concurrency)} } }\n`,
    'floor.test.ts': [
      `import OpenAI from 'openai'`,
      `import { expect, test } from 'vitest'`,
      ``,
      `const client = new OpenAI({ baseURL: process.env.FLOOR_URL, apiKey: 'none' })`,
      `const prompts = ${JSON.stringify(prompts)}`,
      `const tools = [${JSON.stringify(tool)}]`,
      ``,
      `for (const prompt of prompts) {`,
      `  for (let run = 1; run <= ${String(workloadRuns)}; run++) {`,
      `    test.concurrent(\`\${prompt} run \${run}\`, async () => {`,
      `      const completion = await client.chat.completions.create({ model: 'oracle', messages: [{ role: 'user', content: prompt }], tools, temperature: 0 })`,
      `      expect(completion.choices[0]?.message.tool_calls?.[0]?.type).toBe('function')`,
      `    })`,
      `  }`,
      `}`,
      ``,
    ].join('\n'),
  })
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

const medianRun = (runs: ProcessRun[]): ProcessRun => ({
  wallMs: median(runs.map(run => run.wallMs)),
  peakRssMiB: runs.some(run => run.peakRssMiB === undefined) ? undefined : median(runs.map(run => run.peakRssMiB ?? 0)),
  serverMsPerCall: median(runs.map(run => run.serverMsPerCall)),
})

async function measureSize(server: ReferenceServer, tasks: number, repeats: number): Promise<{ milo: ProcessRun, floor: ProcessRun }> {
  const milo = miloProject()
  const floor = floorProject(tasks)
  const miloRuns: ProcessRun[] = []
  const floorRuns: ProcessRun[] = []
  try {
    for (let repeat = 0; repeat < repeats; repeat++) {
      const results = mkdtempSync(join(tmpdir(), 'milo-perf-results-'))
      try {
        const bench = await timed(['--project', 'custom'], milo, { WORKLOAD_TASKS: String(tasks), MILO_BASE_URL: server.url, MILO_MODEL: 'oracle', MILO_CONCURRENCY: String(concurrency), MILO_RESULTS_DIR: results, MILO_PROGRESS: 'off' }, tasks * workloadRuns)
        const board = bench.code === 0 ? JSON.parse(readFileSync(join(results, 'leaderboard.json'), 'utf8')) as { suites: Record<string, { models: { score: number, runs: number }[] }> } : undefined
        const row = board?.suites.workload?.models[0]
        if (row?.runs !== tasks * workloadRuns || row.score !== 1) {
          throw new Error(`the milo-bench run of ${String(tasks)} tasks did not score every run in full (exit ${String(bench.code)}):\n${bench.output.slice(-3000)}`)
        }
        miloRuns.push(bench)
      }
      finally {
        rmSync(results, { recursive: true, force: true })
      }
      const bare = await timed([], floor, { FLOOR_URL: server.url }, tasks * workloadRuns)
      if (bare.code !== 0) {
        throw new Error(`the floor run of ${String(tasks)} tasks failed (exit ${String(bare.code)}):\n${bare.output.slice(-3000)}`)
      }
      floorRuns.push(bare)
    }
  }
  finally {
    rmSync(milo, { recursive: true, force: true })
    rmSync(floor, { recursive: true, force: true })
  }
  return { milo: medianRun(miloRuns), floor: medianRun(floorRuns) }
}

export async function measureWorkload(repeats = 5, large = 200, small = 20): Promise<WorkloadFigures> {
  execFileSync(process.execPath, [join(root, 'src/build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const server = await startReferenceServer({ suites: [workloadSuite(large, root)] })
  try {
    const big = await measureSize(server, large, repeats)
    const little = await measureSize(server, small, repeats)
    const extra = (large - small) * workloadRuns
    return {
      calls: { large: large * workloadRuns, small: small * workloadRuns },
      milo: { large: big.milo, small: little.milo },
      floor: { large: big.floor, small: little.floor },
      marginalMs: { milo: (big.milo.wallMs - little.milo.wallMs) / extra, floor: (big.floor.wallMs - little.floor.wallMs) / extra },
      repeats,
    }
  }
  finally {
    await server.close()
  }
}

/** `node src/run-ts.mjs test/perf/workload.ts [repeats]`: this workload alone, its figures as JSON. */
export async function main(args: string[]): Promise<number> {
  console.log(JSON.stringify(await measureWorkload(Number(args[0] ?? 5)), null, 2))
  return 0
}
