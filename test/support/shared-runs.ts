// Benchmark runs that several test files read, made once per `npm test` (served by global-setup.ts).

import type { FinishedRun, sharedRuns } from './global-setup.ts'
import type { BenchRun } from './run-bench.ts'
import { readFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the global setup serves the shared runs. */
    sharedRunsURL: string
  }
}

/**
 * The shared run `name`: started by the first file that asks, awaited by the others. Its results folder is shared
 * too: read it, and write only files of your own into it. `tmpDir` is the run's TMPDIR (its sandboxes' scratch).
 */
export function sharedRun(name: keyof typeof sharedRuns): Promise<BenchRun & { tmpDir: string }> {
  const url = inject('sharedRunsURL') as string | undefined
  if (url === undefined) {
    return Promise.reject(new Error(`shared run '${name}': only the e2e project serves shared runs (test/support/global-setup.ts); name the file *.e2e.test.ts`))
  }
  return new Promise((resolve, reject) => {
    // node:http, not fetch: a whole benchmark can take longer than fetch waits for response headers.
    get(`${url}/runs/${encodeURIComponent(name)}`, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { body += chunk })
      response.on('end', () => {
        if (response.statusCode !== 200) {
          reject(new Error(`shared run '${name}': ${body}`))
          return
        }
        const finished = JSON.parse(body) as FinishedRun
        resolve({ ...finished, leaderboard: () => JSON.parse(readFileSync(join(finished.resultsDir, 'leaderboard.json'), 'utf8')) as ReturnType<BenchRun['leaderboard']> })
      })
    }).on('error', reject)
  })
}
