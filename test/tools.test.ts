// The simulated tools answer whatever a model sends: odd keys, crashes and faults come back as tool errors.

import type { SimulatedTool } from '../src/types.ts'
import { describe, expect, it } from 'vitest'
import { catalog, freshEnv } from '../fixtures/suites.ts'
import { runToolCall } from '../src/tools.ts'

describe('runToolCall', () => {
  it('never reaches inherited properties through a model\'s argument', async () => {
    for (const [name, args] of [
      ['get_current_time', { timezone: 'toString' }],
      ['get_weather', { city: 'constructor' }],
      ['get_stock_price', { symbol: '__proto__' }],
      ['convert_currency', { amount: 1, from_currency: 'toString', to_currency: 'USD' }],
      ['convert_units', { value: 1, from_unit: 'constructor', to_unit: 'km' }],
      ['read_file', { path: 'hasOwnProperty' }],
    ] as const) {
      const outcome = await runToolCall(catalog, name, { ...args }, freshEnv())
      expect(outcome.ok, `${name}(${JSON.stringify(args)})`).toBe(false)
    }
  })
  it('turns a tool that throws into a tool error the run survives', async () => {
    const broken: SimulatedTool = { name: 'broken', description: 'd', parameters: { type: 'object' }, run: () => { throw new Error('boom') } }
    expect(await runToolCall(new Map([['broken', broken]]), 'broken', {}, {})).toEqual({ ok: false, code: 'tool_crashed', error: 'the tool failed: boom' })
  })
  it('answers unknown tools, unparseable and schema-invalid arguments, and injected faults as errors', async () => {
    expect(await runToolCall(catalog, 'nope', {}, freshEnv())).toMatchObject({ ok: false, code: 'unknown_tool' })
    expect(await runToolCall(catalog, 'get_weather', null, freshEnv())).toMatchObject({ ok: false, code: 'invalid_arguments' })
    expect(await runToolCall(catalog, 'get_weather', { town: 'Paris' }, freshEnv())).toMatchObject({ ok: false, code: 'invalid_arguments' })
    const env = freshEnv({ faults: { get_weather: ['rate_limited'] } })
    expect(await runToolCall(catalog, 'get_weather', { city: 'Paris' }, env)).toMatchObject({ ok: false, code: 'rate_limited' })
    expect(await runToolCall(catalog, 'get_weather', { city: 'Paris' }, env)).toMatchObject({ ok: true })
  })
})
