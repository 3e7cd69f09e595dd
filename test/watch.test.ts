// The editing loop's narrowing as the watcher feeds it: the run's own writes (results, the response cache) are no edit,
// so an edit of one task file still reruns only its category after the reporter has rewritten results/ in the project.

import type { Vitest } from 'vitest/node'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { categoryWatch } from '../src/node/watch.ts'

const root = '/project'
const sources = new Map([[join(root, 'fixtures/single-tool.json'), [join(root, 'bench/single-tool.spec.ts')]], [join(root, 'fixtures/multi-step.json'), [join(root, 'bench/multi-step.spec.ts')]]])
const specs = [...sources.values()].flat()

/** The plugin on a stand-in of the Vitest instance: its Vite watcher, its rerun filter and its rerun hook. */
function watching(generated: string[]): { watcher: EventEmitter, rerun: () => string[] } {
  const watcher = new EventEmitter()
  let filter: (specification: { moduleId: string }) => boolean = () => true
  const vitest = { config: { watch: true }, vite: { watcher }, onFilterWatchedSpecification: (f: typeof filter) => { filter = f }, onTestsRerun: () => {} }
  const plugin = categoryWatch(sources, generated) as unknown as { configureVitest: (context: { vitest: Vitest }) => void }
  plugin.configureVitest({ vitest: vitest as unknown as Vitest })
  return { watcher, rerun: () => specs.filter(moduleId => filter({ moduleId })) }
}

describe('the category rerun, fed by the watcher', () => {
  it('the results the run writes inside the project do not widen an edit\'s rerun', () => {
    const { watcher, rerun } = watching([join(root, 'results'), join(root, '.milo-cache')])
    for (const written of ['results/leaderboard.json', 'results/runs/custom/1.jsonl', 'results/leaderboard.html', '.milo-cache/custom/ab.json']) {
      watcher.emit('change', join(root, written))
    }
    watcher.emit('change', join(root, 'fixtures/single-tool.json'))
    expect(rerun()).toEqual([join(root, 'bench/single-tool.spec.ts')])
  })

  it('any other change reruns what Vitest chose', () => {
    const { watcher, rerun } = watching([join(root, 'results')])
    watcher.emit('change', join(root, 'fixtures/single-tool.json'))
    watcher.emit('change', join(root, 'results-notes.md'))
    expect(rerun()).toEqual(specs)
  })
})
