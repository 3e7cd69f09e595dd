// Shards that split a model matrix (main process). Vitest 4.1.12 places a spec file in a shard by the hash of its path
// alone, and every model's project runs the same spec files: a file's projects tie, and the tie falls to the order
// the projects' globs happened to finish in, which differs from one shard's process to the next. So one model's file
// could run in two shards and another model's in none, and the merge would score one model twice on it and the other
// never. Here the key is the project and the path: every (model, spec file) lands in exactly one shard, whatever the
// order Vitest lists them in. Only the sharding changes: whichever sequencer Vitest resolved (its own, its shuffling
// one for --sequence.shuffle, or a config's) keeps its order.

import type { Plugin } from 'vitest/config'
import type { BaseSequencer, TestSequencerConstructor, TestSpecification, Vitest } from 'vitest/node'
import { createHash } from 'node:crypto'
import { posix } from 'node:path'

/** The [start, end) of shard `index` (1-based) of `count` over `total` files: the first `total % count` shards take one more. */
export function shardRange(total: number, index: number, count: number): [number, number] {
  const size = Math.floor(total / count)
  const larger = total % count
  const start = (index - 1) * size + Math.min(index - 1, larger)
  return [start, start + size + (index <= larger ? 1 : 0)]
}

const slash = (path: string): string => path.replaceAll('\\', '/')

/**
 * The key a spec file is sharded by: its project and its path from the root with forward slashes (so shards on
 * machines with other checkout paths, or other systems, agree), hashed so that shards mix suites and models.
 */
export function shardKey(spec: TestSpecification, root: string): string {
  return createHash('sha1').update(`${spec.project.name}\0${posix.relative(slash(root), slash(spec.moduleId))}`).digest('hex')
}

/** Marks a sequencer class that shards by model already. */
const byModel: unique symbol = Symbol.for('milo-bench.shard-by-model')

/** `Sequencer` with its sharding by project and path; its sorting untouched. */
export function shardingByModel(Sequencer: TestSequencerConstructor): TestSequencerConstructor {
  if ((Sequencer as { [byModel]?: true })[byModel]) {
    return Sequencer
  }
  // Typed as Vitest's base class, whose shard() is a method: whichever class it is, only shard() is replaced.
  const Base = Sequencer as unknown as typeof BaseSequencer
  class ByModel extends Base {
    static readonly [byModel] = true
    private readonly vitest: Vitest

    constructor(ctx: Vitest) {
      super(ctx)
      this.vitest = ctx
    }

    override shard(files: TestSpecification[]): Promise<TestSpecification[]> {
      const { shard, root } = this.vitest.config
      if (!shard) {
        return Promise.resolve(files)
      }
      const [start, end] = shardRange(files.length, shard.index, shard.count)
      const keyed = files.map(spec => ({ spec, key: shardKey(spec, root) }))
      keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      return Promise.resolve(keyed.slice(start, end).map(({ spec }) => spec))
    }
  }
  return ByModel
}

/** The Vite plugin that gives the sequencer Vitest resolved its sharding by model (once, whichever project calls it). */
export function shardByModel(): Plugin {
  return {
    name: 'milo-bench:shard-by-model',
    configureVitest({ vitest }) {
      vitest.config.sequence.sequencer = shardingByModel(vitest.config.sequence.sequencer)
    },
  }
}
