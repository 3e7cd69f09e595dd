import type { ChainStep } from '../src/checks.ts'
import type { ToolCallRecord, Transcript } from '../src/types.ts'
import { describe, expect, it } from 'vitest'
import { answerIncludes, answersWithJson, avoidsRepeatedFailures, callsInOrder, callsTool, followsChain, hasValidArguments, matchesSchema, usesAtMostCalls, valueMatches } from '../src/checks.ts'

const call = (step: number, name: string, args: ToolCallRecord['arguments'], ok = true): ToolCallRecord => ({
  step, id: `c${step}${name}`, name, arguments: args, rawArguments: JSON.stringify(args), source: 'native',
  outcome: ok ? { ok: true, result: {} } : { ok: false, code: 'bad_format', error: 'bad' },
})
const transcript = (calls: ToolCallRecord[], finalText: string | null = 'done'): Transcript => ({
  taskId: 't', model: 'm', messages: [], steps: [],
  tools: [{ name: 'get_weather', description: '', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  toolCalls: calls, finalText, endReason: 'final', env: {}, latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0,
})

describe('valueMatches', () => {
  it('compares leniently by default and exactly on request', () => {
    expect(valueMatches('Paris', ' paris ')).toBe(true)
    expect(valueMatches('Paris', ' paris ', 'exact')).toBe(false)
    expect(valueMatches(26.2, '26.2')).toBe(true)
    expect(valueMatches(['a@x.io', 'b@x.io'], ['B@x.io', 'a@x.io'])).toBe(true)
    expect(valueMatches(['a@x.io'], ['a@x.io', 'b@x.io'])).toBe(false)
    expect(valueMatches({ $anyOf: ['mi', 'miles'] }, 'Miles')).toBe(true)
    expect(valueMatches({ city: 'Paris' }, { city: 'paris', unit: 'c' })).toBe(true)
  })
})

describe('callsTool', () => {
  it('passes on the right call and gives partial credit for partly right arguments', () => {
    const t = transcript([call(0, 'create_event', { title: 'Sync', date: '2026-04-28', time: '14:00' })])
    expect(callsTool(t, 'create_event', { title: 'sync', date: '2026-04-28' }).pass).toBe(true)
    const partial = callsTool(t, 'create_event', { title: 'Sync', date: '2026-04-28', time: '14:30', duration_minutes: 45 })
    expect(partial).toMatchObject({ pass: false, score: 0.5 })
    expect(partial.message).toContain('closest was create_event(')
  })
  it('says which calls were made when the tool was never called', () => {
    expect(callsTool(transcript([call(0, 'get_forecast', { city: 'Paris' })]), 'get_weather').message)
      .toBe('expected a call to get_weather; made get_forecast({"city":"Paris"})')
  })
  it('honours position: first and only', () => {
    const t = transcript([call(0, 'web_search', {}), call(1, 'get_weather', { city: 'Paris' })])
    expect(callsTool(t, 'get_weather', undefined, { position: 'first' }).pass).toBe(false)
    expect(callsTool(t, 'get_weather', undefined, { position: 'only' }).pass).toBe(false)
    expect(callsTool(t, 'get_weather').pass).toBe(true)
  })
})

describe('hasValidArguments', () => {
  it('validates against the offered schema and scores the share of valid calls', () => {
    const t = transcript([call(0, 'get_weather', { city: 'Paris' }), call(1, 'get_weather', { town: 'Paris' })])
    const result = hasValidArguments(t)
    expect(result.score).toBe(0.5)
    expect(result.message).toContain('must have required property \'city\'')
    expect(hasValidArguments(transcript([call(0, 'get_weather', null)])).message).toContain('not a JSON object')
    expect(hasValidArguments(transcript([])).pass).toBe(false)
  })
})

describe('followsChain', () => {
  const steps: ChainStep[] = [{ tool: 'get_customer', args: { email: 'm@x.io' } }, { tool: 'list_orders', args: { customer_id: 'CUS-1' } }, { tool: 'refund_order', args: { order_id: 'ORD-1' } }]
  it('credits the share of steps done in order, each in a later turn than the one before', () => {
    const full = transcript([call(0, 'get_customer', { email: 'm@x.io' }), call(1, 'list_orders', { customer_id: 'CUS-1' }), call(2, 'refund_order', { order_id: 'ORD-1', amount: 5 })])
    expect(followsChain(full, steps)).toMatchObject({ pass: true, score: 1 })
    const stopped = transcript([call(0, 'get_customer', { email: 'm@x.io' })])
    expect(followsChain(stopped, steps).score).toBeCloseTo(1 / 3)
  })
  it('does not credit a step made in the same turn as its input (no data flow) or a failed call', () => {
    const sameTurn = transcript([call(0, 'get_customer', { email: 'm@x.io' }), call(0, 'list_orders', { customer_id: 'CUS-1' })])
    expect(followsChain(sameTurn, steps).score).toBeCloseTo(1 / 3)
    const failed = transcript([call(0, 'get_customer', { email: 'm@x.io' }, false)])
    expect(followsChain(failed, steps).score).toBe(0)
  })
})

describe('answers', () => {
  it('scores bare JSON above fenced or prose-wrapped JSON, and both above none', () => {
    expect(answersWithJson(transcript([], '{"a":1}')).score).toBe(1)
    expect(answersWithJson(transcript([], '```json\n{"a":1}\n```')).score).toBe(0.5)
    expect(answersWithJson(transcript([], 'Here it is: {"a":1} hope it helps')).score).toBe(0.5)
    expect(answersWithJson(transcript([], 'no json')).score).toBe(0)
    expect(answersWithJson(transcript([], 'null')).score).toBe(0)
  })
  it('matches fragments case-insensitively and gives the share found', () => {
    expect(answerIncludes(transcript([], 'It is 18°C in Paris'), ['18', 'paris']).pass).toBe(true)
    expect(answerIncludes(transcript([], 'It is 18°C'), ['18', 'paris']).score).toBe(0.5)
    expect(answerIncludes(transcript([], null), ['x']).message).toContain('no final answer')
  })
})

describe('matchesSchema', () => {
  const schema = { type: 'object', required: ['name', 'age'], properties: { name: { type: 'string' }, age: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } }
  it('lists every violation and gives partial credit per property', () => {
    const result = matchesSchema({ name: 'Ann', age: 'old', tags: [1] }, schema)
    expect(result.pass).toBe(false)
    expect(result.message).toContain('/age must be integer')
    expect(result.message).toContain('/tags/0 must be string')
    expect(result.score).toBeCloseTo(1 / 3)
    expect(matchesSchema({ name: 'Ann', age: 3 }, schema).pass).toBe(true)
  })
  it('never gives full credit to an invalid value, whatever the violation', () => {
    const closed = { ...schema, additionalProperties: false }
    const extra = matchesSchema({ name: 'Ann', age: 3, note: 'x' }, closed)
    expect(extra.pass).toBe(false)
    expect(extra.score).toBeLessThan(1)
    expect(extra.message).toContain('must NOT have additional properties')
    const undescribed = matchesSchema({ name: 'Ann', age: 3 }, { ...schema, required: ['name', 'age', 'id'] })
    expect(undescribed).toMatchObject({ pass: false })
    expect(undescribed.score).toBeLessThan(1)
  })
})

describe('call discipline', () => {
  it('scores down repeating a failing call unchanged, not a corrected retry', () => {
    const corrected = transcript([call(0, 'get_weather', { city: 'Pariss' }, false), call(1, 'get_weather', { city: 'Paris' })])
    expect(avoidsRepeatedFailures(corrected).pass).toBe(true)
    const repeated = transcript([call(0, 'get_weather', { city: 'X' }, false), call(1, 'get_weather', { city: 'X' }, false), call(2, 'get_weather', { city: 'X' }, false)])
    expect(avoidsRepeatedFailures(repeated)).toMatchObject({ pass: false, score: 1 / 3 })
  })
  it('charges extra calls by minimal / made', () => {
    expect(usesAtMostCalls(transcript([call(0, 'a', {}), call(1, 'b', {})]), 2).score).toBe(1)
    expect(usesAtMostCalls(transcript([call(0, 'a', {}), call(1, 'b', {}), call(2, 'c', {})]), 2).score).toBeCloseTo(2 / 3)
    expect(usesAtMostCalls(transcript([]), 2).score).toBe(0)
  })
  it('checks order as a subsequence', () => {
    expect(callsInOrder(transcript([call(0, 'a', {}), call(1, 'x', {}), call(2, 'b', {})]), ['a', 'b']).pass).toBe(true)
    expect(callsInOrder(transcript([call(0, 'b', {}), call(1, 'a', {})]), ['a', 'b']).score).toBe(0.5)
  })
})
