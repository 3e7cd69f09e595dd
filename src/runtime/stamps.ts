// A suite's stamp as the side that runs it sees it: its content hash over its tasks, the tools they offer, the
// defaults those tools read, and the text of its rubric files, read from disk once per suite object.

import type { Suite, SuiteStamp } from '../core/types.ts'
import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { stampSuite, toolsOf } from '../core/suite.ts'

/** Where a suite's rubric paths are read from: its own root, else the working directory (the Vitest root). */
const suiteRoot = (suite: Suite): string => suite.root ?? process.cwd()

/** The text of a suite's rubric files (each category's spec file and the files only it uses), by path as written. */
export function rubricsOf(suite: Suite): Record<string, string> {
  const root = suiteRoot(suite)
  const paths = [...new Set(suite.categories.flatMap(category => category.rubric ?? []))].sort()
  return Object.fromEntries(paths.map((path) => {
    try {
      return [path, readFileSync(isAbsolute(path) ? path : join(root, path), 'utf8')]
    }
    catch (error) {
      throw new Error(`suite ${suite.id}: cannot read its rubric file ${path} (under ${root}): ${(error as Error).message}`)
    }
  }))
}

const stamps = new WeakMap<Suite, SuiteStamp>()

/** A suite's stamp, computed once per suite object. */
export function stampOf(suite: Suite): SuiteStamp {
  let stamp = stamps.get(suite)
  if (!stamp) {
    const environment = suite.environment
    stamp = stampSuite(suite, environment?.tools ?? new Map(), environment ? environment.defaults(toolsOf(suite)) : {}, rubricsOf(suite))
    stamps.set(suite, stamp)
  }
  return stamp
}
