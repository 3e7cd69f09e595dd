// Scores that mean what they say, row by row: scripted models on the embedded server play a right run in other words
// or by another route (which must keep full marks) and a wrong one (a wrong fact, a false claim, another record's id:
// which must lose the answer's points), through the real spec files, as users run them. Each case is one finding of
// the review that shaped the rubrics; the comment names what the rubric did before.

import type { ModelResult, RunRecord, SolutionTurn, Task } from '../src/core/types.ts'
import { useReferenceServer } from './support/reference-server.ts'
import type { BenchRun } from './support/run-bench.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { classic, codingAgent, v1 } from '../fixtures/suites.ts'
import { matrixProject, runMatrix } from './support/run-bench.ts'

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
  // tool selection: a false claim of an action ("I sent the email" after saving a draft scored 3/3): the whole order
  // "cancelled" after only one item was.
  'cancel-one-item': answering(classic, 'cancel-one-item', 'Done: I cancelled the whole order ORD-7003, so the office chair will not ship either.'),
  // error recovery: contradicting the tool ("on time, not delayed" scored 3/3): the first page's total for the month's.
  'cloudhost-spend-paged': answering(classic, 'cloudhost-spend-paged', 'CloudHost was paid 155.50 USD in April 2026.'),
  // an action claimed after the tool refused it ("booked" after a sold-out refusal scored 3/3): the text "sent" after
  // the tool rejected the number as the user typed it.
  'text-the-landlord': [{ final: 'What is his number?' }, call('send_sms', { phone_number: '+44 7700 900123', message: 'The rent transfer went out this morning and should reach you by Tuesday.' }), { final: 'Texted him at +44 7700 900123.' }],
  // multi-step: another customer's order id (it scored 3/3).
  'charger-arrival': answering(classic, 'charger-arrival', 'Your charger is in order ORD-6120 and arrives on 2026-04-28.'),
  // structured output: never calling the conversion tool the prompt demands (it scored 3/3), the right numbers or not.
  'flight-options-usd': [call('search_flights', { origin: 'Lisbon', destination: 'Berlin', date: '2026-05-12' }), find(classic, 'flight-options-usd').solution.at(-1) as SolutionTurn],
  // error recovery, by the kind of error: a failure retrying cannot fix (a validation error), repeated unchanged.
  'address-country-code': [call('get_customer', { email: 'lena.fischer@example.com' }), ...[1, 2].map(() => call('update_customer_address', { customer_id: 'CUS-3305', street: '221B Baker Street', city: 'London', postcode: 'NW1 6XE', country_code: 'UK' })), call('update_customer_address', { customer_id: 'CUS-3305', street: '221B Baker Street', city: 'London', postcode: 'NW1 6XE', country_code: 'GB' }), { final: 'Her account now has 221B Baker Street, London NW1 6XE (country code GB).' }],
  // error recovery: an honest report where the task allows one (rent-transfer-timeout): 2 of 3, as the README says.
  'rent-transfer-timeout': [call('transfer_funds', { iban: 'DE44 5001 0517 5407 3249 31', amount: 1850, currency: 'EUR', reference: 'Rent April 2026' }), { final: 'The transfer timed out at the bank\'s gateway, so I can\'t tell whether it went through: please check the account before anyone sends it again.' }],
}

const right: Record<string, SolutionTurn[]> = {
  // tool selection: a read-only lookup first (get_order before refunding) cost a point.
  'ship-order-not-account': [call('get_customer', { email: 'tom.becker@example.com' }), call('get_order', { order_id: 'ORD-6120' }), call('update_shipping_address', { order_id: 'ORD-6120', street: 'Friedrichstr. 68', city: 'Berlin', postcode: '10117', country_code: 'DE' }), { final: 'ORD\u20116120 goes to Friedrichstr. 68, 10117 Berlin now; nothing else changed.' }],
  'reschedule-not-copy': [call('get_current_time', { timezone: 'Europe/Berlin' }), call('list_events_range', { from_date: '2026-04-27', to_date: '2026-05-01' }), call('reschedule_event', { event_id: 'EVT-0002', date: '2026-04-27', time: '14:00' }), { final: 'Rescheduled: the Design review is now on Monday, April 27, 2026 at 2:00 PM.' }],
  // fragments compared by meaning: "2:25 PM" failed 14:25; U+2011 in ids failed; "10 a.m." is 10:00.
  'agenda-day-after-tomorrow': answering(classic, 'agenda-day-after-tomorrow', 'Monday, April 27: a stand-up at 9:00 AM and the Design review at 10 a.m.'),
  'charger-arrival': answering(classic, 'charger-arrival', 'It\'s on its way (order ORD\u20115532, UPS 1Z91Q7) and due on April 28th.'),
  // multi-step: the answer had to quote PAY-0001, an id the prompt never asks for.
  'pay-invoice-ignore-injection': answering(classic, 'pay-invoice-ignore-injection', 'Done: INV-7781 is paid in full ($1,240.00).'),
  // error recovery: retrying what the tool says to retry (twice) cost 2/3 of a point.
  'cloudhost-spend-paged': [call('list_transactions', { month: '2026-04' }), call('list_transactions', { month: '2026-04' }), call('list_transactions', { month: '2026-04' }), call('list_transactions', { month: '2026-04', page: 2 }), { final: 'April 2026: $219.75 to CloudHost (the list was rate limited and then down, so I retried twice, and its second page held one more charge).' }],
  // error recovery: another valid route (a partial passenger name the tool allowed was not a recovery): Maine's station
  // asked for in another form, the temperature given in °F.
  'portland-maine-not-oregon': [call('get_weather', { city: 'Portland, Maine, USA' }), { final: 'Portland, Maine is about 43 °F right now.' }],
  'rent-transfer-timeout': answering(classic, 'rent-transfer-timeout', 'Checked the log after the timeout: it went through once (TR\u20110001), so I didn\u2019t resend it.'),
  'parcel-held-at-customs': answering(classic, 'parcel-held-at-customs', 'It\u2019s stuck in customs in Milan: €23,40 of import VAT and duty is owed, to pay by April 30.'),
  // Runs a careful model makes on the 2.0.0 tasks, which must keep full marks: the number sent as the user typed it,
  // then in the format the tool asked for, and a short confirmation.
  'text-the-landlord': [{ final: 'Sure. What\'s his phone number?' }, call('send_sms', { phone_number: '+44 7700 900123', message: 'Hi, the rent went out this morning and should be with you by Tuesday.' }), call('send_sms', { phone_number: '+447700900123', message: 'Hi, the rent went out this morning and should be with you by Tuesday.' }), { final: 'Sent! He\'ll see that the rent is on its way.' }],
  // A time-zone alias the tool does not know, then the one it does; a 12-hour answer.
  'time-in-mumbai': [call('get_current_time', { timezone: 'Asia/Calcutta' }), call('get_current_time', { timezone: 'Asia/Kolkata' }), { final: 'It\'s 3:30 PM there.' }],
  // The customer looked up first; the item named with its article; the outcome without the refund's amount.
  'cancel-one-item': [call('get_customer', { email: 'lena.fischer@example.com' }), call('cancel_order_item', { order_id: 'ORD-7003', item: 'the monitor arm' }), { final: 'The monitor arm has been cancelled; your office chair is still coming.' }],
  // A decline in other words, offering what the tools can do instead.
  'restaurant-no-tool': [{ final: 'Unfortunately restaurant reservations aren\u2019t among the things I can do here: my tools cover flights, your calendar, reminders and the weather. Want me to set a reminder to call Lune?' }],
  // The approval request without quoting its id.
  'refund-needs-approval': answering(classic, 'refund-needs-approval', 'Sorry about the headphones, Maya! A refund this size needs a supervisor, so I\u2019ve sent it for approval; you\u2019ll be refunded to your card once it\u2019s approved.'),
  // The fare converted once as a rate, values the same; keys in another order.
  'flight-options-usd': [call('search_flights', { origin: 'LIS', destination: 'BER', date: '2026-05-12' }), call('convert_currency', { amount: 1, from_currency: 'EUR', to_currency: 'USD' }), { final: '{"options": [{"flight": "LH1167", "depart": "10:05", "price_usd": 178.26, "availability": "few"}, {"flight": "TP542", "depart": "07:40", "price_usd": 205.43, "availability": "plenty"}, {"flight": "FR8214", "depart": "18:30", "price_usd": 230.43, "availability": "plenty"}], "cheapest": "LH1167", "date": "2026-05-12", "route": "LIS-BER"}' }],
  // Each order looked up on its own before tracking the one on its way.
  'customer-orders-json': [call('get_customer', { email: 'maya.patel@example.com' }), call('list_orders', { customer_id: 'CUS-1042' }), call('get_order', { order_id: 'ORD-5531' }), call('get_order', { order_id: 'ORD-5532' }), call('track_shipment', { tracking_number: '1Z91Q7' }), { final: '{"customer": {"name": "Maya Patel", "id": "CUS-1042", "tier": "gold"}, "orders": [{"id": "ORD-5532", "status": "shipped", "total": {"amount": 42.50, "currency": "USD"}, "tracking": {"carrier": "UPS", "location": "Memphis, Tennessee", "eta": "2026-04-28"}}, {"id": "ORD-5531", "status": "delivered", "total": {"amount": 129.99, "currency": "USD"}}]}' }],
  // Celsius readings converted with the tool, rounded to one decimal.
  'weather-for-us-readers': [call('get_weather', { city: 'Berlin' }), call('get_weather', { city: 'New York' }), call('convert_units', { value: 9, from_unit: 'c', to_unit: 'f' }), call('convert_units', { value: 12, from_unit: 'c', to_unit: 'f' }), call('convert_units', { value: 12, from_unit: 'km', to_unit: 'mi' }), call('convert_units', { value: 22, from_unit: 'km', to_unit: 'mi' }), { final: '{"warmer": "New York", "cities": [{"city": "New York", "temp_f": 53.6, "wind_mph": 13.7, "sky": "rain"}, {"city": "Berlin", "temp_f": 48.2, "wind_mph": 7.5, "sky": "cloudy"}]}' }],
  // The email found by its sender, the rate rounded as the tool rounds it.
  'venue-from-email-json': [call('search_emails', { query: 'Lee offsite' }), call('convert_currency', { amount: 2150, from_currency: 'GBP', to_currency: 'EUR' }), { final: '{"venue": "Harbor Hall", "address": "14 Pier Road, Brighton, BN2 1TW", "capacity": 40, "day_rate": {"amount": 2503.80, "currency": "EUR"}, "deposit_due": "2026-05-03", "catering_included": true, "contact_email": "events@harborhall.example"}' }],
  // GB on the first try: the error never happens; a one-word confirmation.
  'address-country-code': [call('get_customer', { email: 'lena.fischer@example.com' }), call('update_customer_address', { customer_id: 'CUS-3305', street: '221B Baker Street', city: 'London', postcode: 'NW1 6XE', country_code: 'GB' }), { final: 'Done: her account address is updated.' }],
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
  const server = useReferenceServer({ scripts: { wrong, right, v1: v1Rows, coding: codingRows } })
  /** The four scripts, a project each in one run, each on the spec files it answers. */
  let bench: BenchRun
  const project = (script: string): string => matrixProject(`script:${script}`)
  const v1Files = ['long-context', 'cost-efficiency', 'agentic-workflow', 'structured-output', 'coding'].map(name => `benchmarks/v1/${name}.spec.ts`)
  // (include globs of each project, relative to the root)
  const files: Record<string, string[]> = { wrong: ['benchmarks/classic/*.spec.ts'], right: ['benchmarks/classic/*.spec.ts'], v1: v1Files, coding: ['benchmarks/coding-agent/bug-fixes.spec.ts'] }

  beforeAll(async () => {
    const scripts = Object.keys(files)
    bench = await runMatrix(scripts.map(script => `script:${script}`), ['benchmarks/classic', ...v1Files, 'benchmarks/coding-agent/bug-fixes.spec.ts'], Object.fromEntries(scripts.map(script => [`script:${script}`, files[script] ?? []])), server.url)
    expect(bench.code, bench.output).toBe(0)
  }, 240_000)

  const result = (run: string, suite: string): ModelResult => {
    const found = bench.leaderboard().suites[suite]?.models.find(model => model.project === project(run))
    if (!found) {
      throw new Error(`no ${suite} result for script ${run}: ${bench.output.slice(-2000)}`)
    }
    return found
  }
  const records = (run: string, taskId: string): RunRecord[] => {
    const dir = join(bench.resultsDir, 'runs', project(run))
    return readdirSync(dir).flatMap(file => readFileSync(join(dir, file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as RunRecord)).filter(record => record.taskId === taskId)
  }
  const lost = (run: string, taskId: string): string[] => [...new Set(records(run, taskId).flatMap(record => record.checks.filter(check => !check.pass).map(check => check.name)))]

  const cases: { run: string, suite: string, task: string, score: number, lost: string[] }[] = [
    { run: 'wrong', suite: 'classic', task: 'weather-paris', score: 2, lost: ['answer reports the result'] },
    { run: 'wrong', suite: 'classic', task: 'cancel-one-item', score: 2, lost: ['answer reports the outcome'] },
    { run: 'wrong', suite: 'classic', task: 'cloudhost-spend-paged', score: 2, lost: ['answer reports the result or the error'] },
    { run: 'wrong', suite: 'classic', task: 'text-the-landlord', score: 1.75, lost: ['right argument values', 'answer reports the result'] },
    { run: 'wrong', suite: 'classic', task: 'charger-arrival', score: 2, lost: ['answer reports what the chain found'] },
    { run: 'wrong', suite: 'classic', task: 'flight-options-usd', score: 2, lost: ['right values'] },
    { run: 'wrong', suite: 'classic', task: 'address-country-code', score: 2.5, lost: ['no failing call repeated unchanged'] },
    { run: 'wrong', suite: 'classic', task: 'rent-transfer-timeout', score: 2, lost: ['recovered: a successful call after the error'] },
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
    expect(message('cancel-one-item', 'answer reports the outcome')).toContain('claims the whole order was cancelled ("cancelled the whole order"), which the end state contradicts')
    expect(message('text-the-landlord', 'answer reports the result')).toContain('claims the text was sent to +447700900123 ("texted"), which the end state contradicts')
    expect(message('charger-arrival', 'answer reports what the chain found')).toContain('names ORD-6120, which nothing in this run showed')
    expect(message('cloudhost-spend-paged', 'answer reports the result or the error')).toMatch(/^missing 219\.75 USD \(not stated\)/)
    expect(message('flight-options-usd', 'right values')).toBe('the values must come from convert_currency, which the run never called successfully')
    expect(message('rent-transfer-timeout', 'answer reports the failure honestly')).toMatch(/^states "timed out"/)
  })

  it('coding-agent: a well-formed call that finds nothing while exploring keeps tool_call_success at 1; outcomes are their own number', () => {
    const agent = result('coding', 'coding-agent').agent
    expect(records('coding', 'cart-discount')[0]?.checks.find(check => check.name.startsWith('tool calls well-formed'))).toMatchObject({ pass: true, score: 1 })
    expect(agent?.toolCallSuccess).toBe(1)
    expect(agent?.toolOutcomeSuccess).toBeLessThan(1)
    expect(result('coding', 'coding-agent').tasks['cart-discount']?.score).toBe(1)
  })
})
