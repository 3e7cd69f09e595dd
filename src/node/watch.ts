// The editing loop (main process): every spec file imports its whole suite, so Vitest alone reruns all of a suite's
// spec files when one task file changes. This plugin narrows such a rerun to the spec files of the categories whose
// task files changed; any other change (a rubric, a tool, milo-bench itself) reruns what Vitest chose.

import type { Plugin } from 'vitest/config'
import type { Vitest } from 'vitest/node'
import type { Suite } from '../core/types.ts'
import { resolve, sep } from 'node:path'

/** Each category's task file (absolute) with the spec files to rerun when it changes. */
export function categorySources(suites: readonly Suite[], root: string, specFile: (suite: Suite, path: string) => string): Map<string, string[]> {
  const sources = new Map<string, string[]>()
  for (const suite of suites) {
    for (const category of suite.categories) {
      const spec = category.rubric?.[0]
      if (category.source === undefined || spec === undefined) {
        continue
      }
      const file = resolve(suite.root ?? root, category.source)
      sources.set(file, [...new Set([...(sources.get(file) ?? []), specFile(suite, spec)])])
    }
  }
  return sources
}

/**
 * Which spec files a rerun keeps: when every file changed since the last rerun is a category's task file, only
 * those categories' spec files (and files that are no category's spec, such as a user's own tests); otherwise all.
 */
export function keepOnRerun(changed: ReadonlySet<string>, sources: ReadonlyMap<string, string[]>): (specFile: string) => boolean {
  const files = [...changed]
  if (files.length === 0 || !files.every(file => sources.has(file))) {
    return () => true
  }
  const wanted = new Set(files.flatMap(file => sources.get(file) ?? []))
  const specs = new Set([...sources.values()].flat())
  return specFile => wanted.has(specFile) || !specs.has(specFile)
}

interface Narrowing {
  sources: ReadonlyMap<string, string[]>
  /** Files changed, created or deleted since the last rerun chose its files. */
  changed: Set<string>
  /** The Vite server whose watcher feeds `changed` (a restart brings a new one). */
  server?: object
}

/**
 * Each Vitest instance's narrowing. Kept on globalThis because a config edit restarts Vitest with the same instance
 * (its filters stay registered, its rerun hooks and its Vite server do not) and may evaluate this module again.
 */
const key: unique symbol = Symbol.for('milo-bench.category-watch')
const shared = globalThis as typeof globalThis & { [key]?: WeakMap<Vitest, Narrowing> }
const narrowing = (shared[key] ??= new WeakMap())

/** Whether a file lies in one of these folders (absolute). */
const within = (file: string, folders: readonly string[]): boolean => folders.some(folder => file === folder || file.startsWith(`${folder}${sep}`))

/**
 * The Vite plugin that applies keepOnRerun in watch mode (and the UI). `generated` are the folders the run writes
 * itself (results, the response cache): their files changing is no edit, and must not widen the next rerun.
 */
export function categoryWatch(sources: ReadonlyMap<string, string[]>, generated: readonly string[] = []): Plugin {
  return {
    name: 'milo-bench:category-watch',
    configureVitest({ vitest }) {
      if (!vitest.config.watch) {
        return
      }
      let state = narrowing.get(vitest)
      if (!state) {
        const created: Narrowing = { sources, changed: new Set() }
        narrowing.set(vitest, created)
        vitest.onFilterWatchedSpecification(specification => keepOnRerun(created.changed, created.sources)(resolve(specification.moduleId)))
        state = created
      }
      state.sources = sources
      if (state.server !== vitest.vite) {
        // A new server (the first, or after a restart): follow its watcher, and clear once each rerun has chosen.
        const current = state
        current.server = vitest.vite
        current.changed.clear()
        for (const event of ['change', 'add', 'unlink'] as const) {
          vitest.vite.watcher.on(event, (file: string) => {
            const path = resolve(file)
            if (!within(path, generated)) {
              current.changed.add(path)
            }
          })
        }
        vitest.onTestsRerun(() => current.changed.clear())
      }
    },
  }
}
