// The layers of src/ hold: the core is pure (no Vitest, no file system, no processes, no network), each layer imports
// only those below it (core < models < runtime < node), the protocol module is types only, and nothing in src/
// imports fixtures/ (suites are handed in by the config).

import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from './support/run-bench.ts'

const src = join(root, 'src')
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap(entry => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []))

/** Every module a file imports (static, re-exported or dynamic with a literal), resolved when relative. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(match => match[1] ?? match[2] ?? match[3] ?? '')
  return specifiers.map(specifier => (specifier.startsWith('.') ? relative(root, resolve(dirname(file), specifier)) : specifier))
}

const layers = ['core', 'models', 'runtime', 'node'] as const
const layerOf = (path: string): string | undefined => /^src\/([a-z]+)\//.exec(path)?.[1]

describe('the layers of src/', () => {
  const all = files(src).map(file => ({ path: relative(root, file), imports: importsOf(file) }))

  it('finds the files and their imports', () => {
    expect(all.filter(file => layerOf(file.path) === 'core').length).toBeGreaterThan(10)
    expect(all.find(file => file.path === 'src/runtime/bench.ts')?.imports).toContain('vitest')
  })

  it('the core is pure: no Vitest, no file system, no processes, no network', () => {
    const impure = /^(?:vitest|@vitest\/|node:(?:fs|child_process|http|https|net|dgram|os|worker_threads))/
    const found = all.filter(file => layerOf(file.path) === 'core').flatMap(file => file.imports.filter(module => impure.test(module)).map(module => `${file.path} imports ${module}`))
    expect(found).toEqual([])
  })

  it('each layer imports only the layers below it (core < models < runtime < node)', () => {
    const found = all.flatMap((file) => {
      const own = layerOf(file.path)
      const rank = layers.indexOf(own as typeof layers[number])
      return rank === -1 ? [] : file.imports.filter(module => layers.indexOf(layerOf(module) as typeof layers[number]) > rank).map(module => `${file.path} imports ${module}`)
    })
    expect(found).toEqual([])
  })

  it('the protocol module is the crossing: types only, from the core', () => {
    const protocol = all.find(file => file.path === 'src/protocol.ts')
    expect(protocol?.imports.filter(module => module !== 'vitest' && !module.startsWith('src/core/'))).toEqual([])
    expect(readFileSync(join(src, 'protocol.ts'), 'utf8')).not.toMatch(/\nimport (?!type )/)
  })

  it('nothing in src/ imports fixtures/', () => {
    expect(all.flatMap(file => file.imports.filter(module => module.startsWith('fixtures/')).map(module => `${file.path} imports ${module}`))).toEqual([])
  })
})
