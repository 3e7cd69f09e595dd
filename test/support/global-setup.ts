// The e2e project's global setup: it serves the benchmark runs that several test files share (read with sharedRun()
// in shared-runs.ts), each started by the first file that asks for it and handed to every file that asks after, so
// two files that need the same whole-benchmark run never pay for it twice. The runs are the ordinary child `vitest
// run`s of run-bench.ts, each with a results folder and a temp folder (TMPDIR) of its own, removed when the test run
// ends, or when watch mode reruns tests (the code under test may have changed). A run still going then is killed.

import type { AddressInfo } from 'node:net'
import type { TestProject } from 'vitest/node'
import type { BenchRun } from './run-bench.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runScript } from './run-bench.ts'

interface Folders {
  resultsDir: string
  /** The run's TMPDIR: where its sandboxes make their scratch folders. */
  tmpDir: string
}

/** The runs that are shared, by name. */
export const sharedRuns = {
  /** `npm run bench`, the README's first command: the four reference models on every suite. */
  bench: ({ resultsDir, tmpDir }: Folders, signal: AbortSignal) => runScript('bench', { TMPDIR: tmpDir }, resultsDir, signal),
} satisfies Record<string, (folders: Folders, signal: AbortSignal) => Promise<BenchRun>>

/** A finished run as it travels to a test file (the leaderboard is read there, from the results folder). */
export type FinishedRun = Omit<BenchRun, 'leaderboard'> & Folders

interface Started {
  folders: Folders
  controller: AbortController
  finished: Promise<FinishedRun>
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let started = new Map<string, Started>()
  const start = (name: keyof typeof sharedRuns): Started => {
    const folders = { resultsDir: mkdtempSync(join(tmpdir(), `milo-shared-${name}-`)), tmpDir: mkdtempSync(join(tmpdir(), `milo-shared-${name}-tmp-`)) }
    const controller = new AbortController()
    const finished = sharedRuns[name](folders, controller.signal).then(({ leaderboard: _leaderboard, ...run }) => ({ ...run, ...folders }))
    return { folders, controller, finished }
  }
  const discard = async (runs: Map<string, Started>): Promise<void> => {
    for (const run of runs.values()) {
      run.controller.abort()
      await run.finished.catch(() => undefined)
      rmSync(run.folders.resultsDir, { recursive: true, force: true })
      rmSync(run.folders.tmpDir, { recursive: true, force: true })
    }
  }
  const server = createServer((request, response) => {
    let name: string
    try {
      name = decodeURIComponent(request.url?.replace(/^\/runs\//, '') ?? '')
    }
    catch {
      name = request.url ?? ''
    }
    if (!Object.hasOwn(sharedRuns, name)) {
      response.writeHead(404).end(`no shared run '${name}'; known: ${Object.keys(sharedRuns).join(', ')}`)
      return
    }
    let run = started.get(name)
    if (!run) {
      run = start(name as keyof typeof sharedRuns)
      started.set(name, run)
    }
    run.finished.then(
      finished => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(finished)),
      (error: unknown) => response.writeHead(500).end(String(error)),
    )
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  project.provide('sharedRunsURL', `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`)
  project.onTestsRerun(async () => {
    const previous = started
    started = new Map()
    await discard(previous)
  })
  return async () => {
    server.closeAllConnections()
    await new Promise<void>(resolve => server.close(() => resolve()))
    await discard(started)
  }
}
