// The order test files start in. Vitest starts the files that took longest last time first, and on a machine with no
// record of a last time (a fresh clone, CI) the biggest files first; a file's size says little here, since a short
// file can wait minutes on whole benchmark runs. The files named below start first, in their order, so the longest
// waits overlap the rest instead of running alone at the end.

import type { TestSpecification } from 'vitest/node'
import { BaseSequencer } from 'vitest/node'

export function sequencerStartingWith(first: readonly string[]): typeof BaseSequencer {
  const rank = (spec: TestSpecification): number => {
    const index = first.findIndex(name => spec.moduleId.endsWith(`/${name}`))
    return index === -1 ? first.length : index
  }
  return class extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(files)
      // Array.prototype.sort is stable: the other files keep Vitest's order.
      return sorted.sort((a, b) => rank(a) - rank(b))
    }
  }
}
