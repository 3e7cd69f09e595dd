// The matchers inside concurrent tests: they must see the test through the context's expect, record each check into
// the current run's meta, and fail with a message that shows what the model did.

import type { RunMeta, Transcript } from '../src/core/types.ts'
import { describe, expect as globalExpect, it } from 'vitest'
import { benchRun } from '../src/runtime/matchers.ts'

const transcript = (): Transcript => ({
  taskId: 't', model: 'm', messages: [], steps: [], finalText: '```json\n{"city":"Paris"}\n```', endReason: 'final', env: {}, latencyMs: 0, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0,
  tools: [{ name: 'get_weather', description: 'w', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  toolCalls: [{ step: 0, id: 'a', name: 'get_forecast', arguments: { city: 'Paris', days: 2 }, rawArguments: '{}', source: 'native', outcome: { ok: true, result: {} } }],
})
const emptyRun = (): RunMeta => ({ repeat: 0, endReason: 'final', calls: 1, toolCalls: 1, toolErrors: 0, textToolCalls: 0, latencyMs: 1, usage: { inputTokens: 0, outputTokens: 0 }, retries: 0, checks: [] })

describe.concurrent('matchers in concurrent tests', () => {
  it('record each check, with its points and partial credit, into the run of the current repeat', ({ expect, task }) => {
    task.meta.runs = [emptyRun()]
    const t = transcript()
    expect.soft(t).toCallTool('get_forecast', { city: 'Paris', days: 3 }, { points: 2 })
    expect.soft(t).toHaveValidArguments()
    expect.soft(t).toAnswerWithJson({ label: 'bare json' })
    expect.soft(t).toMatchSchema({ type: 'object', required: ['city'] })
    const checks = task.meta.runs[0]?.checks ?? []
    globalExpect(checks.map(c => [c.name, c.pass, c.score, c.points])).toEqual([
      ['toCallTool(get_forecast, args)', false, 0.5, 2],
      ['toHaveValidArguments(all calls)', false, 0, 1],
      ['bare json', false, 0.5, 1],
      ['toMatchSchema()', true, 1, 1],
    ])
    // the soft failures above would fail this test; clear them: this test is about recording
    task.result!.errors = []
    task.result!.state = 'pass'
  })

  it('fail with a message naming the calls that were made', ({ expect }) => {
    globalExpect(() => expect(transcript()).toCallTool('get_weather')).toThrow('expected a call to get_weather; made get_forecast({"city":"Paris","days":2})')
    globalExpect(() => expect(transcript()).toCallTool('get_forecast', { city: 'Berlin' })).toThrow('closest was get_forecast({"city":"Paris","days":2})')
  })

  it('support .not', ({ expect }) => {
    expect(transcript()).not.toCallTool('get_weather')
    globalExpect(() => expect(transcript()).not.toCallTool('get_forecast')).toThrow(/expected this check to fail/)
  })

  it('list every schema violation', ({ expect }) => {
    const attempt = (): void => expect({ city: 3, extra: true }).toMatchSchema({ type: 'object', required: ['city', 'unit'], properties: { city: { type: 'string' } }, additionalProperties: false })
    globalExpect(attempt).toThrow('3 violation(s)')
    globalExpect(attempt).toThrow('must have required property \'unit\'')
    globalExpect(attempt).toThrow('/city must be string')
    globalExpect(attempt).toThrow('must NOT have additional properties \'extra\'')
  })
})

describe.concurrent('a check on another test\'s run', () => {
  it('is refused instead of being recorded in the wrong test or passing silently', ({ expect }) => {
    const marked = Object.assign(transcript(), { [benchRun]: 'some-other-test-id' })
    globalExpect(() => expect(marked).toCallTool('get_forecast')).toThrow(/use the test context's expect/)
  })
})
