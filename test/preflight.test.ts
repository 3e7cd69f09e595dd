// The pre-run check (GET /models) against real loopback servers: a model id the server's list does not name is one
// warning line before anything runs (the project still runs: a server with one model answers any id), in the list
// shapes servers send; what the server lists is printed without its escapes or an echoed key, and a list too long to
// read is not waited for.

import type { FaultServerOptions } from './support/fault-server.ts'
import type { ModelSpec } from '../src/core/types.ts'
import { afterAll, describe, expect, it } from 'vitest'
import { checkEndpoint, listedModels } from '../src/node/global-setup.ts'
import { startFaultServer } from './support/fault-server.ts'

const KEY = 'sk-milo-preflight-SECRET-0123456789'
const spec = (model: string): ModelSpec => ({ key: 'custom', name: 'custom', model, baseURL: 'http://127.0.0.1:1/v1', server: 'vllm', where: 'local', context: { label: '32K', tokens: 32_768 }, apiKeyEnv: 'MILO_API_KEY' })
const servers: { close: () => Promise<void> }[] = []
afterAll(async () => {
  await Promise.all(servers.map(server => server.close()))
})

async function check(model: string, models: FaultServerOptions['models']): Promise<{ ok: boolean, warning?: string, url: string }> {
  const server = await startFaultServer([], undefined, { models })
  servers.push(server)
  const result = await checkEndpoint(spec(model), server.url, { MILO_API_KEY: KEY })
  return { ok: result.ok, ...(result.warning ? { warning: result.warning } : {}), url: server.url }
}

describe('the pre-run check of the model id', () => {
  it('warns in one line when the list does not name the model, with the URL, the id and what is served', async () => {
    const result = await check('Qwen3.5-397B', { status: 200, body: { object: 'list', data: [{ id: 'qwen3.5-122b' }, { id: 'llama-3.3-70b' }] } })
    expect(result.ok).toBe(true)
    expect(result.warning).toBe(`custom: ${result.url}/models does not list 'Qwen3.5-397B' (it lists 'qwen3.5-122b', 'llama-3.3-70b'): if every request fails with HTTP 404, the entry's model id is wrong (a server with one model, such as llama.cpp, answers any id)`)
  })

  it('says nothing when the model is listed: the same id in another case, under a prefix (Gemini), or in Ollama\'s list', async () => {
    expect(await check('Qwen3.5-397B', { status: 200, body: { data: [{ id: 'qwen3.5-397b' }] } })).not.toHaveProperty('warning')
    expect(await check('gemini-3.1-pro', { status: 200, body: { data: [{ id: 'models/gemini-3.1-pro' }] } })).not.toHaveProperty('warning')
    expect(await check('qwen3:32b', { status: 200, body: { models: [{ name: 'qwen3:32b', model: 'qwen3:32b' }] } })).not.toHaveProperty('warning')
    expect(await check('llama3', { status: 200, body: { object: 'list', data: [{ id: 'llama3:latest' }] } })).not.toHaveProperty('warning')
    expect((await check('llama3', { status: 200, body: { data: [{ id: 'llama3:8b' }] } })).warning).toContain('does not list \'llama3\'')
  })

  it('says nothing when there is no list to read: an empty one, a 404, a body that is no list', async () => {
    for (const models of [{ status: 200, body: { data: [] } }, { status: 404, body: { error: 'not found' } }, { status: 200, body: 'hello' }]) {
      expect(await check('m', models), JSON.stringify(models)).toEqual({ ok: true, url: expect.any(String) })
    }
  })

  it('prints what the server lists without terminal escapes or an echoed key, five ids at most', async () => {
    const data = [{ id: '\u001b[2J\u001b[31mowned' }, { id: 'key-{{key}}' }, { id: 'x\u202Egnp.exe' }, ...['a', 'b', 'c', 'd', 'e'].map(id => ({ id }))]
    const result = await check('m', { status: 200, body: { data } })
    expect(result.warning).toContain('(it lists \'?[2J?[31mowned\', \'key-[redacted]\', \'x?gnp.exe\', \'a\', \'b\' and 3 more)')
    expect(result.warning).not.toContain('SECRET')
    expect(result.warning).not.toContain('\u001b')
  })

  it('does not read a list longer than 1 MiB', async () => {
    const data = Array.from({ length: 40_000 }, (_, i) => ({ id: `model-${i}-${'x'.repeat(20)}` }))
    const result = await check('m', { status: 200, body: { data } })
    expect(JSON.stringify({ data }).length).toBeGreaterThan(1 << 20)
    expect(result).toEqual(expect.objectContaining({ ok: true }))
    expect(result).not.toHaveProperty('warning')
    // The same list under the cap is read: the cap, not the shape, is why nothing was said.
    expect(listedModels(JSON.stringify({ data: data.slice(0, 10) }))).toHaveLength(10)
  })
})
