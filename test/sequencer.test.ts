// Shards of a model matrix (src/node/sequencer.ts): every (model, spec file) in exactly one shard, whatever order Vitest
// lists the specifications in. Vitest's own sharding keys a file by its path alone, so the same file of two models ties
// and the processes of two shards, listing the projects in different orders, can both run one model's file.

import type { TestSequencerConstructor, TestSpecification, Vitest } from 'vitest/node'
import { describe, expect, it } from 'vitest'
import { BaseSequencer } from 'vitest/node'
import { shardByModel, shardingByModel, shardKey, shardRange } from '../src/node/sequencer.ts'

const root = '/project'
const files = ['single-tool', 'tool-selection', 'multi-step', 'structured-output', 'error-recovery', 'bug-fixes', 'features'].map(name => `${root}/benchmarks/${name}.spec.ts`)
const spec = (project: string, moduleId: string): TestSpecification => ({ project: { name: project }, moduleId }) as unknown as TestSpecification
const oracleFirst = ['oracle', 'baseline'].flatMap(project => files.map(file => spec(project, file)))
const baselineFirst = ['baseline', 'oracle'].flatMap(project => files.map(file => spec(project, file)))
const name = (s: TestSpecification): string => `${s.project.name} ${s.moduleId}`
const BenchSequencer = shardingByModel(BaseSequencer)
const vitestAt = (index: number, count: number): Vitest => ({ config: { root, shard: { index, count } } }) as unknown as Vitest

/** The specifications each of `count` shards runs, each shard's process listing them in its own order. */
async function shards(Sequencer: TestSequencerConstructor, count: number, orderOf: (index: number) => TestSpecification[]): Promise<string[][]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => (await new Sequencer(vitestAt(i + 1, count)).shard(orderOf(i + 1))).map(name)))
}

describe('sharding a model matrix', () => {
  it('puts every model\'s spec file in exactly one shard, whichever order each shard\'s process lists them in', async () => {
    const all = oracleFirst.map(name).sort()
    for (const count of [2, 3, 4, 5]) {
      const odd = await shards(BenchSequencer, count, index => (index % 2 === 1 ? oracleFirst : baselineFirst))
      expect(odd.flat().sort(), `${count} shards`).toEqual(all)
      expect(odd, `${count} shards`).toEqual(await shards(BenchSequencer, count, () => oracleFirst))
      expect(odd.every(shard => shard.length > 0)).toBe(true)
    }
  })

  it('is needed: Vitest\'s own sharding runs one model\'s file twice and the other\'s never when the orders differ', async () => {
    const odd = await shards(BaseSequencer, 3, index => (index % 2 === 1 ? oracleFirst : baselineFirst))
    expect(odd.flat().sort()).not.toEqual(oracleFirst.map(name).sort())
    expect(new Set(odd.flat()).size).toBeLessThan(odd.flat().length)
  })

  it('sizes the shards as Vitest does: the first total % count shards take one more', () => {
    const vitest = new BaseSequencer(vitestAt(1, 1)) as unknown as { calculateShardRange: (total: number, index: number, count: number) => [number, number] }
    for (let total = 0; total <= 30; total++) {
      for (let count = 1; count <= 7; count++) {
        for (let index = 1; index <= count; index++) {
          expect(shardRange(total, index, count), `${index}/${count} of ${total}`).toEqual(vitest.calculateShardRange(total, index, count))
        }
      }
    }
  })

  it('keys a file by its path from the root with forward slashes: shards on other checkout paths and systems agree', () => {
    const linux = shardKey(spec('oracle', '/home/ci/milo/benchmarks/classic/single-tool.spec.ts'), '/home/ci/milo')
    expect(shardKey(spec('oracle', 'C:/a/milo/benchmarks/classic/single-tool.spec.ts'), 'C:/a/milo')).toBe(linux)
    expect(shardKey(spec('oracle', 'C:\\a\\milo\\benchmarks\\classic\\single-tool.spec.ts'), 'C:\\a\\milo')).toBe(linux)
    expect(shardKey(spec('baseline', '/home/ci/milo/benchmarks/classic/single-tool.spec.ts'), '/home/ci/milo')).not.toBe(linux)
  })

  it('changes only the sharding of the sequencer Vitest resolved (a shuffle, a config\'s own), once', async () => {
    class Reversed extends BaseSequencer {
      override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        return Promise.resolve([...files].reverse())
      }
    }
    const wrapped = shardingByModel(Reversed)
    expect(shardingByModel(wrapped)).toBe(wrapped)
    const sequencer = new wrapped(vitestAt(1, 2))
    expect(await sequencer.sort(oracleFirst)).toEqual([...oracleFirst].reverse())
    expect((await sequencer.shard(oracleFirst)).map(name)).toEqual((await new BenchSequencer(vitestAt(1, 2)).shard(baselineFirst)).map(name))
    // the plugin, as each project's configureVitest calls it: the resolved sequencer wrapped once
    const vitest: { config: { sequence: { sequencer: TestSequencerConstructor } } } = { config: { sequence: { sequencer: Reversed } } }
    const plugin = shardByModel() as unknown as { configureVitest: (context: { vitest: typeof vitest }) => void }
    plugin.configureVitest({ vitest })
    const once = vitest.config.sequence.sequencer
    plugin.configureVitest({ vitest })
    expect(vitest.config.sequence.sequencer).toBe(once)
    expect(once).not.toBe(Reversed)
    expect(await new once(vitestAt(1, 1)).sort(oracleFirst)).toEqual([...oracleFirst].reverse())
  })

  it('leaves an unsharded run\'s files as they are', async () => {
    const unsharded = { config: { root } } as unknown as Vitest
    expect(await new BenchSequencer(unsharded).shard(oracleFirst)).toEqual(oracleFirst)
  })
})
