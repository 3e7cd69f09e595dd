// The `milo-bench` command as users run it, in a child process: `serve` loads a project's own TypeScript config
// (through Vite's module runner), serves its own suite on 127.0.0.1 to the real openai SDK, plays the oracle on its
// task, and stops cleanly on SIGTERM; bad arguments and a missing config are one line and a non-zero exit; an unknown
// command prints the usage. (`compare` is tried in compare.e2e.test.ts; the installed bin in `npm run examples`.)

import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanEnv, root } from './support/run-bench.ts'

interface Ran { code: number | null, stdout: string, stderr: string }

const started = new Set<ChildProcess>()
// A test that fails before its server stops must not leave the server behind.
afterEach(() => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
    }
  }
  started.clear()
})

/** `node src/run-ts.mjs src/cli.ts ...args`, as `npm run serve` / `npm run compare` start it. */
function cli(args: string[], cwd = root): { child: ChildProcess, done: Promise<Ran>, output: () => string } {
  const child = spawn(process.execPath, [join(root, 'src/run-ts.mjs'), 'src/cli.ts', ...args], { cwd, env: cleanEnv({}) })
  started.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const done = new Promise<Ran>(resolve => child.on('close', code => resolve({ code, stdout, stderr })))
  return { child, done, output: () => stdout }
}

/** A project of its own: a config that names one suite, with a tool and a task, in TypeScript. */
function ownProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'milo-cli-'))
  writeFileSync(join(dir, 'lookup.spec.ts'), '// the rubric (not run here)\n')
  writeFileSync(join(dir, 'vitest.config.ts'), `
import type { Json } from '${join(root, 'src/public/index.ts')}'
import { defineBenchConfig } from '${join(root, 'src/public/config.ts')}'
import { defineSuite, ok, params, string } from '${join(root, 'src/public/index.ts')}'

const title: string = 'Dune'
const mini = defineSuite({
  id: 'mini-library', title: 'Mini library', version: '1.0.0', root: new URL('.', import.meta.url),
  tools: [{ name: 'find_book', description: 'Look a book up by title.', parameters: params({ title: string('The title') }), readOnly: true, run: () => ok({ id: 'B-101', title } as Json) }],
  categories: [{ id: 'lookup', title: 'Lookup', rubric: 'lookup.spec.ts', tasks: [{ id: 'dune', prompt: 'Who wrote Dune?', tools: ['find_book'], expect: {}, solution: [{ calls: [{ name: 'find_book', arguments: { title: 'Dune' } }] }, { final: 'Frank Herbert wrote Dune (B-101).' }] }] }],
})
export default defineBenchConfig({ models: {}, suites: [mini] })
`)
  return dir
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise(resolve => setTimeout(resolve, 50))) {
    if (Date.now() - started > 60_000) {
      throw new Error(`timed out waiting for ${what}`)
    }
  }
}

describe('milo-bench serve', () => {
  it('serves a project\'s own suite from its TypeScript config to the openai SDK, and stops on SIGTERM with exit 0', async () => {
    const dir = ownProject()
    const served = cli(['serve', '--port', '0'], dir)
    await until(() => /serving mini-library/.test(served.output()), 'the server\'s first line')
    const url = /on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(served.output())?.[1] ?? ''
    const client = new OpenAI({ baseURL: url, apiKey: 'not-needed' })
    expect((await client.models.list()).data.map(model => model.id)).toEqual(expect.arrayContaining(['oracle', 'paraphrase', 'confabulator', 'baseline']))
    const tools = [{ type: 'function' as const, function: { name: 'find_book', description: 'Look a book up by title.', parameters: { type: 'object', properties: { title: { type: 'string' } } } } }]
    const first = await client.chat.completions.create({ model: 'oracle', messages: [{ role: 'user', content: 'Who wrote Dune?' }], tools })
    expect(first.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'find_book', arguments: '{"title":"Dune"}' } })
    served.child.kill('SIGTERM')
    const ended = await served.done
    expect(ended.code, ended.stderr).toBe(0)
  })

  it('stops on SIGTERM while a reply is still waiting out a latency the client asked for', async () => {
    const served = cli(['serve', '--port', '0'], ownProject())
    await until(() => /serving mini-library/.test(served.output()), 'the server\'s first line')
    const url = /on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(served.output())?.[1] ?? ''
    const client = new OpenAI({ baseURL: url, apiKey: 'not-needed', maxRetries: 0 })
    const slow = client.chat.completions.create({ model: 'oracle,latency=600000', messages: [{ role: 'user', content: 'Who wrote Dune?' }] }).catch((error: unknown) => error)
    await new Promise(resolve => setTimeout(resolve, 300))
    const signalled = performance.now()
    served.child.kill('SIGTERM')
    const ended = await served.done
    expect(ended.code, ended.stderr).toBe(0)
    expect(performance.now() - signalled).toBeLessThan(5000)
    expect(await slow).toBeInstanceOf(Error)
  })

  it('a port in use is one line and exit 1', async () => {
    const dir = ownProject()
    const first = cli(['serve', '--port', '0'], dir)
    await until(() => /serving mini-library/.test(first.output()), 'the first server')
    const port = /127\.0\.0\.1:(\d+)/.exec(first.output())?.[1] ?? ''
    const second = await cli(['serve', '--port', port], dir).done
    first.child.kill('SIGTERM')
    await first.done
    expect(second.code).toBe(1)
    expect(second.stderr.trim()).toBe(`milo-bench serve: cannot listen on 127.0.0.1:${port} (the port is in use); name another with --port, or 0 for a free one`)
  })

  it('a bad port, an unknown argument and a missing config are one line each and a non-zero exit, with nothing served', async () => {
    const dir = ownProject()
    const port = await cli(['serve', '--port', 'eighty'], dir).done
    expect(port).toMatchObject({ code: 2, stdout: '' })
    expect(port.stderr.trim()).toBe('milo-bench serve: the port must be a whole number from 0 to 65535 (0 picks a free one), not "eighty"')
    const unknown = await cli(['serve', '--prot', '80'], dir).done
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('milo-bench serve: unknown argument "--prot"; usage: milo-bench serve [--config vitest.config.ts] [--port N] [--latency MS]')
    const missing = await cli(['serve', '--config', 'nowhere.config.ts'], dir).done
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim()).toBe(`milo-bench serve: no config at ${join(dir, 'nowhere.config.ts')}; run it from the project's root, or name the config with --config`)
  })
})

describe('the milo-bench command', () => {
  it('prints its usage for help, and exits 2 naming an unknown command; --version is the package\'s', async () => {
    const help = await cli(['--help']).done
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: milo-bench <command> [arguments]')
    expect(help.stdout).toMatch(/serve \[--config[\s\S]*compare \[before\.json\]/)
    const unknown = await cli(['bench']).done
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^milo-bench: unknown command "bench"\n\nusage: milo-bench/)
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    expect((await cli(['--version']).done).stdout.trim()).toBe(manifest.version)
  })
})
