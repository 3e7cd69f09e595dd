// The simulated tools answer whatever a model sends: odd keys, crashes and faults come back as tool errors.

import type { SimulatedTool } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { catalog, freshEnv, suites } from '../fixtures/suites.ts'
import { runToolCall } from '../src/runtime/tool-runner.ts'

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

describe('read-only tools', () => {
  it('change nothing: every call a reference solution or route makes to a tool marked readOnly leaves the state as it was', async () => {
    const tasks = suites.flatMap(suite => suite.categories.flatMap(category => category.tasks))
    let checked = 0
    for (const task of tasks) {
      const env = freshEnv(task.env)
      for (const turns of [task.solution, ...(task.routes ?? [])]) {
        for (const turn of turns) {
          for (const call of 'calls' in turn ? turn.calls : []) {
            const before = JSON.stringify(env)
            await runToolCall(catalog, call.name, call.arguments, env)
            if (catalog.get(call.name)?.readOnly) {
              // Injected faults are consumed per call (a queue the task owns), not state a tool changes.
              const without = (text: string): unknown => ({ ...JSON.parse(text), faults: undefined })
              expect(without(JSON.stringify(env)), `${task.id}: ${call.name}`).toEqual(without(before))
              checked++
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50)
  })

  it('are exactly the lookups: every tool with effects (send, book, pay, write, deploy...) is left unmarked', () => {
    const effects = /^(?:send|draft|create|delete|book|cancel|check_in|refund|issue|pay|write|run_command|deploy|rollback|repo_write|repo_patch|reschedule|move|update|request|transfer)/
    for (const tool of catalog.values()) {
      expect(tool.readOnly === true, tool.name).toBe(!effects.test(tool.name))
    }
  })
})
