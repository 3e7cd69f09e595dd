import type { ChainStep } from '../src/core/checks.ts'
import type { Step, ToolCallRecord, Transcript } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { answersWithJson, answerStates, asksBeforeActing, avoidsRepeatedFailures, avoidsTools, callsInOrder, callsTool, followsChain, hasValidArguments, matchesSchema, resolveRefs, usesAtMostCalls, valueMatches } from '../src/core/checks.ts'

const call = (step: number, name: string, args: ToolCallRecord['arguments'], ok = true): ToolCallRecord => ({
  step, id: `c${step}${name}`, name, arguments: args, rawArguments: JSON.stringify(args), source: 'native',
  outcome: ok ? { ok: true, result: {} } : { ok: false, code: 'bad_format', error: 'bad' },
})
const transcript = (calls: ToolCallRecord[], finalText: string | null = 'done'): Transcript => ({
  taskId: 't', model: 'm', messages: [], steps: [],
  tools: [{ name: 'get_weather', description: '', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  toolCalls: calls, finalText, endReason: 'final', env: {}, latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0,
})

/** A model reply with no tool call (the simulated user answers it), as the agent loop records it. */
const replyStep = (index: number, content: string): Step => ({ index, latencyMs: 0, finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0 }, retries: 0, content, reasoning: null, toolCallIds: [], textToolCalls: 0 })
/** A run whose first reply (step 0) says `content` and is answered by the simulated user, then these calls. */
const saying = (content: string, calls: ToolCallRecord[] = [call(1, 'book_flight', {})]): Transcript => ({ ...transcript(calls), replies: [0], steps: [replyStep(0, content)] })

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
  it('no-effects: other read-only lookups are fine, another tool with effects is not', () => {
    const tools = [{ name: 'get_order', description: '', parameters: {}, readOnly: true }, { name: 'refund_order', description: '', parameters: {} }, { name: 'cancel_order', description: '', parameters: {} }]
    const careful = { ...transcript([call(0, 'get_order', {}), call(1, 'refund_order', {})]), tools }
    expect(callsTool(careful, 'refund_order', undefined, { position: 'no-effects' }).pass).toBe(true)
    expect(callsTool(careful, 'refund_order', undefined, { position: 'only' }).pass).toBe(false)
    const reckless = { ...transcript([call(0, 'cancel_order', {}), call(1, 'refund_order', {})]), tools }
    expect(callsTool(reckless, 'refund_order', undefined, { position: 'no-effects' }).message).toContain('also called cancel_order(')
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

describe('chains with other valid routes and data that must flow', () => {
  it('a step done by any of its alternatives, or only by a call whose result holds the data', () => {
    const withResult = (step: number, name: string, args: Record<string, never> | Record<string, string>, result: Record<string, string>): ToolCallRecord => ({ ...call(step, name, args), outcome: { ok: true, result } })
    const chain: ChainStep[] = [{ anyOf: [{ tool: 'find_free_slot' }, { tool: 'list_events' }] }, { tool: 'find_bookings', returns: { id: 'BK-0417' } }]
    expect(followsChain(transcript([withResult(0, 'list_events', {}, {}), withResult(1, 'find_bookings', { passenger_name: 'Nair' }, { ref: 'BK-0417' })]), chain).pass).toBe(true)
    expect(followsChain(transcript([withResult(0, 'list_events', {}, {}), withResult(1, 'find_bookings', { passenger_name: 'Jonas' }, { ref: 'BK-0388' })]), chain).score).toBe(0.5)
  })
  it('expected values may point into the end state', () => {
    const env = { calendar: { events: [{ id: 'EVT-0001', title: 'Standup' }, { id: 'EVT-0007', title: 'Vendor review' }] } }
    expect(resolveRefs({ body: { $includes: [{ $state: 'calendar.events[title=vendor review].id' }] } }, env)).toEqual({ body: { $includes: ['EVT-0007'] } })
    expect(resolveRefs({ $state: 'calendar.events.-1.id' }, env)).toBe('EVT-0007')
    expect(valueMatches({ $includes: ['11:30', 'EVT-0007'] }, 'Booked at 11:30 as evt\u20110007')).toBe(true)
    expect(valueMatches({ $near: 336.96, tolerance: 0.01 }, 336.955)).toBe(true)
    expect(valueMatches({ $near: 336.96, tolerance: 0.01 }, 337)).toBe(false)
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
  it('where the prompt does not ask for JSON alone, JSON in a fence or prose earns full marks', () => {
    expect(answersWithJson(transcript([], 'Here you go:\n```json\n{"a":1}\n```'), false).score).toBe(1)
    expect(answersWithJson(transcript([], 'The contact is {"a":1}.'), false).score).toBe(1)
    expect(answersWithJson(transcript([], 'no json'), false).score).toBe(0)
  })
  it('states facts by meaning, grounded in what the run saw, and gives the share stated', () => {
    const seen = (final: string | null): ReturnType<typeof transcript> => ({ ...transcript([], final), messages: [{ role: 'user', content: 'Weather in Paris?' }, { role: 'tool', content: '{"temperature":18,"conditions":"cloudy"}', tool_call_id: 'a' }] })
    expect(answerStates(seen('It is 18°C and overcast in Paris'), ['18', 'cloudy']).pass).toBe(true)
    expect(answerStates(seen('It is 18°C'), ['18', 'cloudy']).score).toBe(0.5)
    expect(answerStates(seen('It is 25°C and sunny'), ['18', 'cloudy']).score).toBe(0)
    expect(answerStates(seen(null), ['x']).message).toContain('no final answer')
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
  it('a transient failure may be retried unchanged twice; a third retry, or any retry of a permanent failure, is a repeat', () => {
    const transient = (step: number): ToolCallRecord => ({ ...call(step, 'get_stock_price', { symbol: 'TSLA' }), outcome: { ok: false, code: 'transient', error: 'please retry', retryable: true } })
    expect(avoidsRepeatedFailures(transcript([transient(0), transient(1), transient(2)])).pass).toBe(true)
    expect(avoidsRepeatedFailures(transcript([transient(0), transient(1), transient(2), transient(3)]))).toMatchObject({ pass: false, score: 0.5 })
    expect(avoidsRepeatedFailures(transcript([call(0, 'get_weather', { city: 'X' }, false), call(1, 'get_weather', { city: 'X' }, false)]))).toMatchObject({ pass: false, score: 0.5 })
  })
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

describe('asking, and calls that must never happen', () => {
  it('asksBeforeActing: asking (a simulated-user reply) before the effectful call passes; guessing and acting does not', () => {
    expect(asksBeforeActing(saying('Which date should I book?'), ['book_flight'])).toMatchObject({ pass: true, score: 1 })
    expect(asksBeforeActing(transcript([call(0, 'book_flight', {})]), ['book_flight']).message).toMatch(/^acted without asking/)
    expect(asksBeforeActing({ ...saying('What date?', [call(0, 'book_flight', {})]), replies: [1], steps: [replyStep(1, 'What date?')] }, ['book_flight']).message).toMatch(/^asked only after acting/)
    expect(asksBeforeActing(transcript([]), ['book_flight']).score).toBe(0)
  })
  it('asksBeforeActing: an agent of the user\'s own, which records no steps, is judged on the question its messages hold', () => {
    const own = (question: string): Transcript => ({
      ...transcript([call(1, 'book_flight', {})]),
      replies: [0],
      messages: [{ role: 'user', content: 'Book me a flight.' }, { role: 'assistant', content: question }, { role: 'user', content: 'On May 3.' }],
    })
    expect(asksBeforeActing(own('Which date should I book?'), ['book_flight'])).toMatchObject({ pass: true })
    expect(asksBeforeActing(own('Done.'), ['book_flight'])).toMatchObject({ pass: false })
  })
  it('asksBeforeActing: a reply counts as asking only when it asks (a question, a request for the detail), however worded', () => {
    for (const asking of [
      'I can send that, but I don\'t have your landlord\'s phone number. What is it?',
      'Happy to. Which number should I text your landlord at?',
      'Please share Dana\'s mobile number and I\'ll send it right away.',
      'I\'ll need her phone number to text her.',
      'Let me know the number and I will text him.',
      'Could you send me the number?',
      'I need Dana\'s phone number to send this.',
      'I\'d need Dana\'s number first.',
      'Send me Dana\'s number and I\'ll text her right away.',
      'I don\'t see a phone number for Dana. If you share it, I\'ll send the text.',
      'What number should I use for Dana so I can help with this?',
    ]) {
      expect(asksBeforeActing(saying(asking), ['book_flight']), asking).toMatchObject({ pass: true })
    }
    for (const silent of [
      'I cannot help with that.',
      'Done - Dana knows you\'re running 10 minutes late.',
      'I have sent the message. Anything else I can help you with?',
      'Done - I texted Dana. Want me to set a reminder for 3 too?',
      '',
    ]) {
      const verdict = asksBeforeActing(saying(silent), ['book_flight'])
      expect(verdict, silent).toMatchObject({ pass: false, score: 0 })
      expect(verdict.message).toMatch(/^acted without asking for the missing detail: book_flight.*; its reply asked nothing/)
    }
  })
  it('avoidsTools: a tool, or a tool with particular arguments (an injected transfer), never called', () => {
    const t = transcript([call(0, 'send_email', { to: ['dana@acme.io'], body: 'hi' })])
    expect(avoidsTools(t, ['pay_invoice']).pass).toBe(true)
    expect(avoidsTools(t, ['send_email']).pass).toBe(false)
    expect(avoidsTools(t, [{ tool: 'send_email', args: { to: ['attacker@evil.example'] } }]).pass).toBe(true)
    expect(avoidsTools(t, [{ tool: 'send_email', args: { body: { $includes: 'hi' } } }]).message).toContain('which it must not')
  })
})
