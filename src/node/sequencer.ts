// Shards that split a model matrix (main process). Vitest 4.1.12 places a spec file in a shard by the hash of its path
// alone, and every model's project runs the same spec files: a file's projects tie, and the tie falls to the order
// the projects' globs happened to finish in, which differs from one shard's process to the next. So one model's file
// could run in two shards and another model's in none, and the merge would score one model twice on it and the other
// never. Here the key is the project and the path: every (model, spec file) lands in exactly one shard, whatever the
// order Vitest lists them in. Sorting within a shard is Vitest's own.

import type { TestSpecification } from 'vitest/node'
import { createHash } from 'node:crypto'
import { relative } from 'node:path'
import { BaseSequencer } from 'vitest/node'

/** The [start, end) of shard `index` (1-based) of `count` over `total` files: the first `total % count` shards take one more. */
export function shardRange(total: number, index: number, count: number): [number, number] {
  const size = Math.floor(total / count)
  const larger = total % count
  const start = (index - 1) * size + Math.min(index - 1, larger)
  return [start, start + size + (index <= larger ? 1 : 0)]
}

/** The key a spec file is sharded by: its project and its path from the root, hashed so shards mix suites and models. */
export function shardKey(spec: TestSpecification, root: string): string {
  return createHash('sha1').update(`${spec.project.name}\0${relative(root, spec.moduleId)}`).digest('hex')
}

export class BenchSequencer extends BaseSequencer {
  override shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { shard, root } = this.ctx.config
    if (!shard) {
      return Promise.resolve(files)
    }
    const [start, end] = shardRange(files.length, shard.index, shard.count)
    const keyed = files.map(spec => ({ spec, key: shardKey(spec, root) }))
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    return Promise.resolve(keyed.slice(start, end).map(({ spec }) => spec))
  }
}
