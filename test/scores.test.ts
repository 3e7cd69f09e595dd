// Scores that mean what they say, row by row: scripted models on the embedded server play a right run in other words
// or by another route (which must keep full marks) and a wrong one (a wrong fact, a false claim, another record's id:
// which must lose the answer's points), through the real spec files, as users run them. Each case is one finding of
// the review that shaped the rubrics; the comment names what the rubric did before.

import type { ReferenceServer } from '../src/node/reference-server.ts'
import type { ModelResult, RunRecord, SolutionTurn, Task } from '../src/core/types.ts'
import type { BenchRun } from './support/run-bench.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classic, codingAgent, suites, v1 } from '../fixtures/suites.ts'
import { startReferenceServer } from '../src/node/reference-server.ts'
import { runBench } from './support/run-bench.ts'

const find = (suite: typeof classic, id: string): Task => {
  const task = suite.categories.flatMap(category => category.tasks).find(t => t.id === id)
  if (!task) {
    throw new Error(`no task ${id} in ${suite.id}`)
  }
  return task
}
/** A task's reference calls, then another final answer. */
const answering = (suite: typeof classic, id: string, final: string): SolutionTurn[] => [...find(suite, id).solution.filter(turn => 'calls' in turn), { final }]
const call = (name: string, args: Record<string, string | number | string[]>): SolutionTurn => ({ calls: [{ name, arguments: args }] })

const wrong: Record<string, SolutionTurn[]> = {
  // single tool: the answer was never read; "25 °C and sunny" after the tool said 18 °C cloudy scored 3/3.
  'weather-paris': answering(classic, 'weather-paris', 'It\'s 25 °C and sunny in Paris right now.'),
  // tool selection: "I sent the email" after saving a draft scored 3/3.
  'draft-not-send': answering(classic, 'draft-not-send', 'Done: I sent the email to dana@acme.io.'),
  // error recovery: contradicting the tool ("on time, not delayed") scored 3/3.
  'flight-status-date-format': answering(classic, 'flight-status-date-format', 'LH2402 on 3 May is on time, not delayed: it leaves at 12:50.'),
  // error recovery: "booked" after the tool refused scored 3/3.
  'sold-out-flight': answering(classic, 'sold-out-flight', 'Booked Jonas Weber on LH400 on 2026-05-03: booking BK-0502.'),
  // multi-step: another customer's order id scored 3/3.
  'customer-orders': answering(classic, 'customer-orders', 'Maya Patel has placed ORD-5531, ORD-5532 and ORD-6120.'),
  // structured output: never calling the conversion tool the prompt demands scored 3/3.
  'conversions-json': [{ final: '{"miles": 3.11, "pounds": 154.32}' }],
  // error recovery, by the kind of error: a failure retrying cannot fix (not_found), repeated unchanged.
  'booking-ref-not-found': [call('get_booking', { booking_ref: 'BK-0471' }), call('get_booking', { booking_ref: 'BK-0471' }), call('find_bookings', { passenger_name: 'Priya Nair' }), { final: 'Her seat is 14C (booking BK-0417).' }],
  // error recovery: an honest report where the task allows one (quote-service-down): 2 of 3, as the README says.
  'quote-service-down': [call('get_stock_price', { symbol: 'TSLA' }), call('get_stock_price', { symbol: 'TSLA' }), call('get_stock_price', { symbol: 'TSLA' }), { final: 'The quote service is unavailable right now (rate limited, then down), so I cannot give you TSLA\'s price.' }],
}

const right: Record<string, SolutionTurn[]> = {
  // tool selection: a read-only lookup first (get_order before refunding) cost a point.
  'refund-to-card': [call('get_order', { order_id: 'ORD-5531' }), call('refund_order', { order_id: 'ORD-5531', amount: 129.99, reason: 'arrived damaged' }), { final: 'ORD-5531 is refunded: $129.99 back to the card it was paid with.' }],
  'umbrella-forecast': [call('get_weather', { city: 'London' }), call('get_forecast', { city: 'London', days: 3 }), { final: 'Yes, take it: showers are forecast for the second day.' }],
  // fragments compared by meaning: "2:25 PM" failed 14:25; U+2011 in ids failed.
  'flight-status-date-format': answering(classic, 'flight-status-date-format', 'It is running late: LH2402 now leaves at 2:25 PM from gate G27, not 12:50.'),
  'customer-orders': answering(classic, 'customer-orders', 'She has two: ORD\u20115531 and ORD\u20115532.'),
  // multi-step: the answer had to quote PAY-0001, an id the prompt never asks for.
  'pay-looked-up-invoice': answering(classic, 'pay-looked-up-invoice', 'Done: INV-7781 is paid in full ($1,240.00).'),
  // error recovery: retrying what the tool says to retry (twice) cost 2/3 of a point.
  'quote-service-down': [call('get_stock_price', { symbol: 'TSLA' }), call('get_stock_price', { symbol: 'TSLA' }), call('get_stock_price', { symbol: 'TSLA' }), call('web_search', { query: 'TSLA stock price' }), { final: 'TSLA last traded at $171.05 (the quote service stayed down after two retries; this is from the web).' }],
  // error recovery: a partial passenger name, which the tool's description allows, was not a recovery.
  'booking-ref-not-found': [call('get_booking', { booking_ref: 'BK-0471' }), call('find_bookings', { passenger_name: 'Nair' }), { final: 'There is no BK-0471; her booking is BK-0417, seat 14C.' }],
  'sold-out-flight': answering(classic, 'sold-out-flight', 'I couldn\u2019t book him: LH400 on May 3 is fully booked. Nothing was reserved.'),
  'order-to-parcel': answering(classic, 'order-to-parcel', 'It\'s on its way, in Memphis, TN right now, and due on April 28th.'),
}

const v1Rows: Record<string, SolutionTurn[]> = {
  // long context: swapping which archive each code belongs to scored 1.0.
  'needles-64k': [{ final: 'Birch archive: LR-7713. Cedar archive: MT-2290. Dogwood archive: VP-3058.' }],
  // "September 21, 2026" failed 2026-09-21; the superseded values, named as such beside the answer, cost nothing.
  'needles-30k': [{ final: 'Project Heron now launches on September 21, 2026 (it slipped from August 3, then from September 14). The Lisbon office gets 148 desks, not the draft\'s 162. The backup generator\'s serial number is GEN\u201158213\u2011K.' }],
  // long context: the value the question's own words match, which a later memo replaced, scores nothing.
  'needle-8k': [{ final: 'The access code for the Alder storage room is QX-4471.' }],
  // 5,456.95 (each share converted and rounded) failed 5456.94.
  'portfolio-in-chf': answering(v1, 'portfolio-in-chf', 'Together they are worth about 5,456.95 Swiss francs.'),
  // cost efficiency: the five independent lookups one per turn, where the system prompt asks for them together.
  'warmest-and-coldest': [
    ...['Paris', 'Tokyo', 'London', 'Berlin', 'Sydney'].map(city => call('get_weather', { city })),
    { final: 'Sydney is the warmest (27 °C) and Berlin the coldest (9 °C).' },
  ],
  // agentic: the staging deploy id was to be hard-coded (DEP-0001) rather than read from the end state.
  'release-day-freeze': [
    call('get_current_time', { timezone: 'UTC' }),
    call('run_command', { command: 'npm test && npm run build' }),
    call('deploy', { target: 'staging', version: '2.4.0' }),
    call('deploy', { target: 'staging', version: '2.4.0' }),
    call('send_slack_message', { channel: '#releases', text: '2.4.0 is on staging as DEP-0002; production waits for the next release day, Monday.' }),
    { final: 'April 25 is no release day, so production keeps 2.3.0 until Monday the 27th; 2.4.0 runs healthy on staging as DEP-0002 (deployed twice).' },
  ],
  // structured output: "as JSON" (not "only JSON"): a lead-in and a fenced block lost 0.1.
  'event-from-note': [{ final: 'Here is the event:\n\n```json\n{"title": "Quarterly planning", "date": "2026-04-30", "start": "15:15", "duration_minutes": 90, "attendees": ["lee@acme.io", "dana@acme.io"], "location": null}\n```' }],
  // coding: another correct implementation, by a patch instead of a rewrite, passes what the reference's does.
  'cart-total-cents': [
    call('repo_read_file', { path: 'src/money.js' }),
    { calls: [{ name: 'repo_patch_file', arguments: { path: 'src/money.js', find: '  return Math.round(parseFloat(amount)) * 100', replace: '  if (typeof amount !== \'string\' || !/^\\d+(\\.\\d{1,2})?$/.test(amount)) {\n    throw new RangeError(`not a price: ${amount}`)\n  }\n  return Math.round(Number(amount) * 100)' } }] },
    call('repo_run_tests', {}),
    { final: 'toCents now validates the price and rounds amount x 100 to whole cents.' },
  ],
}

// coding-agent: tool_call_success counted outcomes, so a well-formed read of a missing file while exploring was a failure.
const cart = find(codingAgent, 'cart-discount')
const codingRows: Record<string, SolutionTurn[]> = {
  'cart-discount': [call('repo_read_file', { path: 'src/discount.js' }), ...cart.solution],
}

describe.concurrent('scores that mean what they say', () => {
  let server: ReferenceServer
  const runs = new Map<string, BenchRun>()

  beforeAll(async () => {
    server = await startReferenceServer({ suites, scripts: { wrong, right, v1: v1Rows, coding: codingRows } })
    const bench = (script: string, files: string[]): Promise<BenchRun> => runBench(['--project', 'custom', ...files], { MILO_BASE_URL: server.url, MILO_MODEL: `script:${script}`, MILO_CONCURRENCY: '8' })
    const v1Files = ['long-context', 'cost-efficiency', 'agentic-workflow', 'structured-output', 'coding'].map(name => `benchmarks/v1/${name}.spec.ts`)
    const [w, r, v, c] = await Promise.all([bench('wrong', ['benchmarks/classic']), bench('right', ['benchmarks/classic']), bench('v1', v1Files), bench('coding', ['benchmarks/coding-agent/bug-fixes.spec.ts'])])
    runs.set('wrong', w as BenchRun).set('right', r as BenchRun).set('v1', v as BenchRun).set('coding', c as BenchRun)
  }, 240_000)

  afterAll(async () => {
    await server.close()
  })

  const result = (run: string, suite: string): ModelResult => {
    const bench = runs.get(run)
    const found = bench?.leaderboard().suites[suite]?.models.find(model => model.project === 'custom')
    if (!found) {
      throw new Error(`no ${suite} result for script ${run}: ${bench?.output.slice(-2000) ?? 'no run'}`)
    }
    return found
  }
  const records = (run: string, taskId: string): RunRecord[] => {
    const dir = join(runs.get(run)?.resultsDir ?? '', 'runs', 'custom')
    return readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as RunRecord)).filter(record => record.taskId === taskId)
  }
  const lost = (run: string, taskId: string): string[] => [...new Set(records(run, taskId).flatMap(record => record.checks.filter(check => !check.pass).map(check => check.name)))]

  const cases: { run: string, suite: string, task: string, score: number, lost: string[] }[] = [
    { run: 'wrong', suite: 'classic', task: 'weather-paris', score: 2, lost: ['answer reports the result'] },
    { run: 'wrong', suite: 'classic', task: 'draft-not-send', score: 2, lost: ['answer reports the outcome'] },
    { run: 'wrong', suite: 'classic', task: 'flight-status-date-format', score: 2, lost: ['answer reports the result or the error'] },
    { run: 'wrong', suite: 'classic', task: 'sold-out-flight', score: 2, lost: ['answer reports the result or the error'] },
    { run: 'wrong', suite: 'classic', task: 'customer-orders', score: 2, lost: ['answer reports what the chain found'] },
    { run: 'wrong', suite: 'classic', task: 'conversions-json', score: 2, lost: ['right values'] },
    { run: 'wrong', suite: 'classic', task: 'booking-ref-not-found', score: 2.5, lost: ['no failing call repeated unchanged'] },
    { run: 'wrong', suite: 'classic', task: 'quote-service-down', score: 2, lost: ['recovered: a successful call after the error'] },
    ...Object.keys(right).map(task => ({ run: 'right', suite: 'classic', task, score: 3, lost: [] })),
    { run: 'v1', suite: 'v1', task: 'needles-64k', score: 1 / 3, lost: ['3 needle(s) found in 64000 tokens'] },
    { run: 'v1', suite: 'v1', task: 'needle-8k', score: 0, lost: ['1 needle(s) found in 8000 tokens'] },
    { run: 'v1', suite: 'v1', task: 'warmest-and-coldest', score: 2 / 6, lost: ['right answer in 5 tool calls and 2 model turns'] },
    ...['needles-30k', 'portfolio-in-chf', 'release-day-freeze', 'event-from-note', 'cart-total-cents'].map(task => ({ run: 'v1', suite: 'v1', task, score: 1, lost: [] })),
  ]
  for (const c of cases) {
    it(`${c.suite} ${c.task} (${c.lost.length > 0 ? 'a wrong or partial run' : 'a right run, in other words or by another route'}): ${Number(c.score.toFixed(2))}${c.lost.length > 0 ? `, losing ${c.lost.join(', ')}` : ''}`, () => {
      const task = result(c.run, c.suite).tasks[c.task]
      expect(task?.runs.length, c.task).toBeGreaterThan(0)
      for (const score of task?.runs ?? []) {
        expect(score, JSON.stringify(records(c.run, c.task).map(record => record.checks.filter(check => !check.pass)))).toBeCloseTo(c.score, 6)
      }
      expect(lost(c.run, c.task)).toEqual(c.lost)
    })
  }

  it('a false claim or another record\'s id says why the answer lost its points', () => {
    const message = (task: string, label: string): string => records('wrong', task)[0]?.checks.find(check => check.name === label)?.message ?? ''
    expect(message('draft-not-send', 'answer reports the outcome')).toContain('claims the email was sent')
    expect(message('sold-out-flight', 'answer reports the result or the error')).toContain('claims Jonas Weber was booked on LH400 ("booked jonas"), which the end state contradicts')
    expect(message('customer-orders', 'answer reports what the chain found')).toMatch(/states "ORD-6120", which is wrong here|names ORD-6120/)
    expect(message('flight-status-date-format', 'answer reports the result or the error')).toContain('states "on time", which is wrong here')
    expect(message('conversions-json', 'right values')).toBe('the values must come from convert_units, which the run never called successfully')
  })

  it('coding-agent: a well-formed call that finds nothing while exploring keeps tool_call_success at 1; outcomes are their own number', () => {
    const agent = result('coding', 'coding-agent').agent
    expect(records('coding', 'cart-discount')[0]?.checks.find(check => check.name.startsWith('tool calls well-formed'))).toMatchObject({ pass: true, score: 1 })
    expect(agent?.toolCallSuccess).toBe(1)
    expect(agent?.toolOutcomeSuccess).toBeLessThan(1)
    expect(result('coding', 'coding-agent').tasks['cart-discount']?.score).toBe(1)
  })
})
