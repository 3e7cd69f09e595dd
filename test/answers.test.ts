// Answer matching, table by table: for each kind of fact, the forms a right answer may take (which must match) and
// the near misses a wrong answer takes (which must not).

import type { AnswerContext, AnswerSpec, Fact } from '../src/core/answers.ts'
import type { Json, Task } from '../src/core/types.ts'
import { describe, expect, it } from 'vitest'
import { fold, isNegated, judgeAnswer, parseNumber, readIds, readNumbers, states } from '../src/core/answers.ts'
import { reachesState } from '../src/core/checks.ts'
import { confabulate, paraphrase, synonyms } from '../src/node/reference/rewrite.ts'
import { classic, v1 } from '../fixtures/suites.ts'

interface Row { fact: Fact, same: string[], different: string[] }

const classicTask = (id: string): Task => classic.categories.flatMap(category => category.tasks).find(task => task.id === id) as Task
const v1Task = (id: string): Task => v1.categories.flatMap(category => category.tasks).find(task => task.id === id) as Task

const table: Record<string, Row[]> = {
  number: [
    { fact: '787.5', same: ['787.5 EUR', '€787.50', '787,50 €', 'EUR 787.5', 'about 787.50 euros', '787.49'], different: ['787.6', '78.75', '7875', '787'] },
    { fact: { number: 1240 }, same: ['$1,240.00', '1240 USD', 'USD 1 240', '1.240,00 USD', '1\u202F240 $', '1\'240'], different: ['124', '1,241', '12,400', 'INV-1240'] },
    { fact: { number: 42.16, tolerance: 0.05 }, same: ['42.16 km', 'about 42.2 km', '42,16 km', '42.1649 kilometres'], different: ['42.3 km', '26.2 miles', '4216 m'] },
    { fact: '18', same: ['18°C', '18 °C', '18 degrees', '18.0 °C', 'eighteen degrees'], different: ['25 °C', '81°F', '2026-04-18', 'ORD-18'] },
    { fact: '-1.2', same: ['-1.2%', '\u22121.2 %', 'down 1.2%'], different: ['+1.2%', '-2.1%'] },
    { fact: '2', same: ['2 orders', 'two orders'], different: ['3 orders', '12 orders'] },
    { fact: '45', same: ['a 45-minute meeting', '45 minutes', '45min'], different: ['4.5 minutes', '54 minutes'] },
    { fact: { number: 18, unit: '°C' }, same: ['18°C', '18 ° C', '18 degrees', '18 degrees Celsius', '18C', 'eighteen degrees', 'it is 18 in Paris', '18ºC', '18º C', '18˚C', 'temperature: 18', '18 (°C)'], different: ['wind at 18 km/h', '18 °F', '18% humidity', '18 kph winds', '18 mph', 'wind speed 18', 'Wind: 18 (km/h)', 'humidity 18', '18 ºF', '18˚F', '18 kilometres an hour'] },
    { fact: { number: 42.8, unit: '°F', tolerance: 0.5 }, same: ['43 °F', '42.8 degrees Fahrenheit', '43F'], different: ['43 °C', '43 km/h'] },
    { fact: { number: 23.4, unit: 'EUR' }, same: ['€23.40', '23.40 EUR', 'EUR 23.40', '23,40 €', '23.40 euros', '23.40', 'EUR23.40', '23.40EUR', '23.40 (EUR)'], different: ['$23.40', '23.40 USD', '£23.40', '23.40 CHF', '23.40 dollars', '23.40 US$', '$US 23.40', 'NZ$23.40', '23.40 (USD)', 'USD23.40', '23.40 NZD'] },
    { fact: { number: 219.75, unit: 'USD' }, same: ['$219.75', 'US$219.75', '219.75 dollars', '219.75 USD', 'USD 219.75', 'USD219.75', '219.75USD', '219.75 US$'], different: ['€219.75', '219.75 EUR', 'A$219.75', '219.75 Australian dollars', 'HK$219.75'] },
    { fact: { number: 5456.94, unit: 'CHF', tolerance: 0.05 }, same: ['5,456.94 CHF', 'CHF 5,456.94', '5 456,94 Swiss francs', 'Fr. 5,456.94', '5456.9 francs', 'CHF5,456.94'], different: ['$5,456.94', '5,456.94 USD', '5,456.94 EUR'] },
    { fact: { number: 14, unit: 'km/h' }, same: ['wind at 14 km/h', '14 kilometres an hour', 'wind speed 14'], different: ['14 °C', '14 mph', 'temperature 14'] },
  ],
  date: [
    { fact: '2026-09-14', same: ['2026-09-14', 'September 14, 2026', 'Sept. 14th', '14 Sep 2026', '14th of September 2026', '2026/09/14', 'Monday, September 14', '14/09/2026', '09/14/2026', 'sep 14'], different: ['2026-09-15', 'September 15, 2026', '14 Oct 2026', '2025-09-14', 'September 14, 2025'] },
    { fact: '2026-04-28', same: ['April 28', 'on the 28th of April, 2026', 'Tue 28 Apr 2026'], different: ['April 27', '28 May', '2026-04-27'] },
  ],
  time: [
    { fact: '14:25', same: ['14:25', '2:25 PM', '2:25pm', '2:25 p.m.', '14h25', '14:25:00'], different: ['2:25 AM', '14:52', '12:25', '4:25 pm'] },
    { fact: '09:30', same: ['9:30', '09:30', '9:30 AM', '9:30 a.m.', '9.30am', '9:30 in the morning'], different: ['9:30 PM', '21:30', '10:30', '9:30 tonight', '9.30 EUR'] },
    { fact: '12:00', same: ['noon', '12 pm', '12:00 PM', '12:00'], different: ['midnight', '12 am'] },
    { fact: '15:00', same: ['3 pm', '3pm', '15:00', '3 in the afternoon', '3 o\'clock in the afternoon', 'between 3 and 4 pm', '3-4 pm', 'from 3 to 4 pm'], different: ['3 am', '5 pm', '3 in the morning', '3 o\'clock', '3 or 4 am'] },
    { fact: '12:50', same: ['12:50', '12.50 pm'], different: ['£12.50 pm', '$12.50 pm', '€ 12.50 pm'] },
    { fact: '15:30', same: ['3:30 in the afternoon', '3.30 pm', '3:30 this afternoon'], different: ['3:30', '3:30 in the morning', '15.30 USD'] },
    { fact: '23:00', same: ['11 at night', '11 pm', '11:00 tonight'], different: ['11 in the morning', '11 o\'clock'] },
    { fact: '00:30', same: ['12:30 at night', '12:30 in the morning', '12:30 am'], different: ['12:30', '12:30 in the afternoon'] },
  ],
  id: [
    { fact: 'ORD-5531', same: ['ORD-5531', 'ord-5531', 'ORD\u20115531', 'ORD\u20135531', 'ORD 5531', 'ORD5531', '**ORD-5531**', '(ORD-5531)', 'ＯＲＤ－５５３１'], different: ['ORD-5532', 'ORD-55311', 'XORD-5531', 'ORD-553'] },
    { fact: '1Z91Q7', same: ['1Z91Q7', '1z91q7'], different: ['1Z91Q8', '1Z91Q77'] },
    { fact: 'GEN-58213-K', same: ['GEN-58213-K', 'gen\u201158213\u2011k'], different: ['GEN-58213', 'GEN-58213-X'] },
  ],
  text: [
    { fact: 'sold out', same: ['sold out', 'Sold-out', 'fully booked', 'there are no seats left', 'SOLD OUT'], different: ['not sold out', 'isn\'t sold out', 'seats available'] },
    { fact: { text: 'delayed' }, same: ['it is delayed', 'running late', 'a delay of 95 minutes'], different: ['not delayed', 'on time', 'it hasn\'t been delayed'] },
    { fact: { text: 'Memphis' }, same: ['in Memphis, TN', 'MEMPHIS'], different: ['Memphisto', 'in Nashville'] },
    { fact: { text: 'draft', synonyms: ['saved it for review'] }, same: ['saved a draft', 'I saved it for review', 'drafted'], different: ['I sent it'] },
    { fact: 'Head of Finance', same: ['“Head of Finance”', 'head   of  finance'], different: ['Head of Sales'] },
  ],
}

describe('answer matching: each kind of fact, the forms that match and the near misses that do not', () => {
  for (const [kind, rows] of Object.entries(table)) {
    for (const row of rows) {
      it(`${kind} ${JSON.stringify(row.fact)}`, () => {
        for (const text of row.same) {
          expect(states(text, row.fact), `should match: ${text}`).toBe(true)
        }
        for (const text of row.different) {
          expect(states(text, row.fact), `should not match: ${text}`).toBe(false)
        }
      })
    }
  }
})

describe('folding and reading', () => {
  it('folds dashes, quotes, spaces, fullwidth forms and case', () => {
    expect(fold('ＯＲＤ\u2011５５３１ “Head”\u00A0\u00A0of ‘x’')).toBe('ord-5531 "head" of \'x\'')
  })
  it('reads grouped numbers the way they are written', () => {
    expect(['1,240.00', '1 240', '1.240,50', '787,49', '1\'240', '0.5', '.5', '12,345,678'].map(parseNumber)).toEqual([1240, 1240, 1240.5, 787.49, 1240, 0.5, 0.5, 12345678])
    expect(readNumbers(fold('order ORD-5531 on 2026-04-28 at 14:25 cost $42.50')).map(n => n.value)).toEqual([42.5])
  })
  it('reads a currency code written against its amount as an amount, not an id, for every code the id reader knows', () => {
    const written = (text: string): string[] => readIds(fold(text)).map(span => fold(text).slice(span.start, span.end))
    for (const code of ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'CAD', 'AUD', 'INR', 'CNY', 'SEK', 'NOK', 'DKK']) {
      expect(written(`the fee was ${code}120 for ORD-5531`), code).toEqual(['ord-5531'])
      expect(readNumbers(fold(`the fee was ${code}120`)).map(n => n.value), code).toEqual([120])
    }
    expect(written('flight LH2402 and SKU HKD120')).toEqual(['lh2402', 'hkd120'])
  })
  it('reads negation in the same clause only', () => {
    const at = (text: string, word: string): boolean => isNegated(fold(text), fold(text).indexOf(word))
    expect(at('It has not been sent yet', 'sent')).toBe(true)
    expect(at('Nothing was booked', 'booked')).toBe(true)
    expect(at('I couldn\'t book him', 'book')).toBe(true)
    expect(at('No: LH2402 on 2026-05-03 is delayed', 'delayed')).toBe(false)
    expect(at('Not on time, it is delayed', 'delayed')).toBe(false)
    expect(at('I did not find the first one, but I sent the second', 'sent')).toBe(false)
  })
})

describe('judging an answer', () => {
  const env: Record<string, Json> = { deploys: { production: { deploy_id: 'DEP-0002', version: '2.4.0' } }, mail: { sent: [], drafts: [{ id: 'DRAFT-0001' }] } }
  const context = (seen: string): AnswerContext => ({ env, seen, holds: pattern => reachesState(env, pattern).pass })
  const judge = (answer: string | null, spec: AnswerSpec, seen = ''): ReturnType<typeof judgeAnswer> => judgeAnswer(answer, spec, context(seen))

  it('credits the share of facts stated, each in any form', () => {
    const seen = '{"status":"delayed","expected_departure":"14:25","date":"2026-05-03"}'
    expect(judge('It\'s running late: now leaving at 2:25 PM.', ['delayed', '14:25'], seen).score).toBe(1)
    expect(judge('It leaves at 2:25 PM.', ['delayed', '14:25'], seen).score).toBe(0.5)
    expect(judge(null, ['delayed'], seen).score).toBe(0)
  })

  it('reads expected values from the end state, not from strings written twice', () => {
    const spec = [{ id: { $state: 'deploys.production.deploy_id' } }]
    expect(judge('Production runs 2.4.0 as DEP\u20110002.', spec, 'deploy_id DEP-0002').score).toBe(1)
    expect(judge('Production runs 2.4.0 as DEP-0001.', spec, 'deploy_id DEP-0001 DEP-0002').score).toBe(0)
    expect(judge('done', [{ id: { $state: 'deploys.staging.deploy_id' } }], '').message).toContain('the end state has no id at')
  })

  it('a fact the run never saw does not count, unless the task marks it derived', () => {
    expect(judge('It is 18°C in Paris.', ['18'], '{"temperature": 25}')).toMatchObject({ score: 0 })
    expect(judge('That is 855.98 USD in all.', [{ number: 855.98, derived: true }], '212.44 431.1').score).toBe(1)
  })

  it('a value offered as one of several is not stated; a conversion, a restatement or two expected values side by side are', () => {
    const seen = '{"time":"15:30","temperature":18,"slots":["09:30","10:15"],"eta":"2026-04-28"}'
    for (const hedge of ['It\'s either 15:30 or 16:30 in Mumbai.', 'Probably 16:30, or 15:30.', 'It is 18°C or 19°C in Paris.']) {
      const verdict = judge(hedge, hedge.includes('°') ? [{ number: 18 }] : ['15:30'], seen)
      expect(verdict.score, hedge).toBe(0)
      expect(verdict.message).toContain('given only as one of several possibilities')
    }
    expect(judge('Due April 28 or April 29.', ['2026-04-28'], seen).score).toBe(0)
    expect(judge('Probably at 3 or 4 pm, Mumbai time.', ['15:00'], '15:00').score).toBe(0)
    expect(judge('It opens at 3 pm and closes at 4 pm.', ['15:00'], '15:00').score).toBe(1)
    expect(judge('It\'s 15:30 (3:30 pm) in Mumbai.', ['15:30'], seen).score).toBe(1)
    expect(judge('It is 18°C, or 64°F, in Paris.', [{ number: 18 }], seen).score).toBe(1)
    expect(judge('You are free at 9:30 or 10:15.', ['09:30', '10:15'], seen).score).toBe(1)
    expect(judge('It arrives April 28, not April 20 as first planned.', ['2026-04-28'], seen).score).toBe(1)
  })

  it('a false claim of an action loses the answer, whatever else it states; a negated one does not', () => {
    const spec: AnswerSpec = { facts: ['draft'], claims: [{ says: ['sent it', 'email was sent', 'i sent', 'has been sent'], holds: { mail: { sent: { $some: {} } } }, label: 'the email was sent' }] }
    expect(judge('I saved a draft; it has not been sent.', spec, 'draft saved').score).toBe(1)
    const lie = judge('I sent the email and kept a draft.', spec, 'draft saved')
    expect(lie.score).toBe(0)
    expect(lie.message).toContain('claims the email was sent')
  })

  it('another record\'s facts, or ids of the same kind nobody showed, lose the answer', () => {
    const seen = '{"orders":[{"id":"ORD-5531"},{"id":"ORD-5532"}]}'
    expect(judge('ORD-5531 and ORD-5532.', ['ORD-5531', 'ORD-5532'], seen).score).toBe(1)
    const extra = judge('ORD-5531, ORD-5532 and ORD-6120.', ['ORD-5531', 'ORD-5532'], seen)
    expect(extra.score).toBe(0)
    expect(extra.message).toContain('ORD-6120')
    expect(judge('ORD-5531 and ORD-5532 (not 5533).', { facts: ['ORD-5531', 'ORD-5532'], wrong: [{ id: 'ORD-6120' }] }, seen).score).toBe(1)
    expect(judge('Tokyo: 24°C.', { facts: [], wrong: ['24'] }, '24').score).toBe(0)
  })

  it('attribution: each value must be given as its own entity\'s, in any listing order', () => {
    const seen = 'The access code for the Birch archive is MT-2290. The access code for the Cedar archive is LR-7713. The Cedar archive code LR-1177 is retired.'
    const spec: AnswerSpec = [{ id: 'MT-2290', about: ['Birch archive', 'Birch'] }, { id: 'LR-7713', about: ['Cedar archive', 'Cedar'] }]
    const right = [
      'Birch archive: MT-2290. Cedar archive: LR-7713.',
      'Birch: MT-2290, Cedar: LR-7713',
      'MT-2290 (Birch), LR-7713 (Cedar)',
      'The codes for the Birch and Cedar archives are MT-2290 and LR-7713, respectively.',
      '| Birch | MT-2290 |\n| Cedar | LR-7713 |',
      'The Cedar archive now uses LR-7713 (the old LR-1177 is retired); the Birch archive uses MT-2290.',
    ]
    for (const answer of right) {
      expect(judge(answer, spec, seen).score, answer).toBe(1)
    }
    const swapped = ['Birch archive: LR-7713. Cedar archive: MT-2290.', 'Birch: LR-7713, Cedar: MT-2290', 'Cedar: LR-1177. Birch: MT-2290.']
    for (const answer of swapped) {
      expect(judge(answer, spec, seen).score, answer).toBeLessThan(1)
    }
  })
})

describe('attribution among other named things', () => {
  it('a value given as another entity\'s does not count, however the answer lists them', () => {
    const seen = 'Paris 18 Tokyo 24 London 11 Sydney 27'
    const spec: AnswerSpec = { facts: ['Sydney', { number: 27, about: ['Sydney'] }], entities: [['Tokyo'], ['Paris'], ['London']] }
    const judge = (answer: string): number => judgeAnswer(answer, spec, { env: {}, seen, holds: () => false }).score
    expect(judge('Sydney is the warmest at 27°C (Tokyo 24°C, Paris 18°C, London 11°C).')).toBe(1)
    expect(judge('Sydney, at 27 °C.')).toBe(1)
    expect(judge('Sydney is the warmest at 31°C (Tokyo 27°C, Paris 20°C, London 12°C).')).toBe(0.5)
  })

  it('a value goes to the name it is said of, or to the last one named before it (v1 specs, answers in a model\'s words)', () => {
    const judge = (id: string, answer: string, seen: string): number => judgeAnswer(answer, v1Task(id).expect.answer as AnswerSpec, { env: {}, seen, holds: () => true }).score
    const temperatures = 'Paris 15 Tokyo 22 London 11 Berlin 9 Sydney 27'
    expect(judge('warmest-and-coldest', 'Right now it\'s 15°C in Paris, 22°C in Tokyo, 11°C in London, 9°C in Berlin and 27°C in Sydney, so Sydney is the warmest and Berlin the coldest.', temperatures)).toBe(1)
    expect(judge('warmest-and-coldest', 'Sydney is the warmest at 27 °C. Berlin is the coldest at 9 °C.', temperatures)).toBe(1)
    expect(judge('warmest-and-coldest', 'It\'s 27°C in Berlin and 9°C in Sydney, so Berlin is the warmest.', temperatures)).toBe(0)
    expect(judge('two-meetings-first-free', 'Booked: the Vendor call on Monday 27 April at 9:30–10:00 and the Design sync on Tuesday 28 April at 10:15–11:00.', '')).toBe(1)
    expect(judge('two-meetings-first-free', 'Booked: the Vendor call on Monday at 10:15 and the Design sync on Tuesday at 9:30.', '')).toBe(0)
  })

  it('a sentence that names no one goes on about the last one named (classic charger-arrival\'s spec)', () => {
    const spec = classicTask('charger-arrival').expect.answer as AnswerSpec
    const seen = '{"orders":[{"id":"ORD-5531","items":["headphones"]},{"id":"ORD-5532","items":["charger"],"tracking_number":"1Z91Q7"}],"eta":"2026-04-28"}'
    const judge = (answer: string): number => judgeAnswer(answer, spec, { env: {}, seen, holds: () => false }).score
    expect(judge('Your charger is in order ORD-5532. The parcel (UPS 1Z91Q7) is in transit and should reach you on 2026-04-28.')).toBe(1)
    expect(judge('The headphones (ORD-5531) came earlier. Your charger, in ORD-5532, is on its way; it should reach you on April 28.')).toBe(1)
    for (const right of ['The charger (ORD-5532) ships separately from your headphones. Expected delivery: April 28.', 'Your charger is in ORD-5532, not ORD-5531 (that one is the headphones). It should reach you on April 28.', 'Your charger, unlike the headphones, is still in transit. Estimated delivery: Tuesday, April 28.', 'Good news: it arrives April 28. That is order ORD-5532, the charger.']) {
      expect(judge(right), right).toBe(1)
    }
    expect(judge('Your noise-cancelling headphones (ORD-5531) are in transit and should reach you on April 28.')).toBe(0)
  })

  it('a value after "the other one" is the other entity\'s, of two (v1 arrived-and-where)', () => {
    const spec = v1Task('arrived-and-where').expect.answer as AnswerSpec
    const seen = '{"orders":[{"id":"ORD-5531","status":"delivered"},{"id":"ORD-5532","status":"in_transit","location":"Memphis, TN"}]}'
    const judge = (answer: string): number => judgeAnswer(answer, spec, { env: {}, seen, holds: () => true }).score
    for (const right of ['ORD-5531 was delivered on April 20. The other one is in Memphis, TN right now.', 'ORD-5531 has been delivered, and the other one is in Memphis.', 'ORD-5532 is in Memphis right now. The other order was delivered on April 20.', 'Yes: ORD-5531 was delivered. As for the other order, ORD-5532, it is in Memphis.']) {
      expect(judge(right), right).toBe(1)
    }
    for (const wrong of ['ORD-5532 was delivered on April 20. The other one is in Memphis.', 'ORD-5531 is in Memphis; the other one was delivered.']) {
      expect(judge(wrong), wrong).toBe(0)
    }
    // Of more than two, "the other one" names no one: the value stays with the name before it.
    const cities = { facts: [{ number: 27, unit: '°C', about: ['Sydney'] }], entities: [['Paris'], ['Berlin']] } as AnswerSpec
    expect(judgeAnswer('Paris is 18°C; the other one, Sydney, is 27°C.', cities, { env: {}, seen: '27', holds: () => true }).score).toBe(1)
  })
})

describe('claims a task\'s spec refuses', () => {
  it('a booking made up without a tool loses the answer of classic restaurant-no-tool, however it says it cannot give more', () => {
    const spec = classicTask('restaurant-no-tool').expect.answer as AnswerSpec
    const env: Record<string, Json> = { restaurants: { reservations: [] } }
    const judge = (answer: string): number => judgeAnswer(answer, spec, { env, seen: '', holds: pattern => reachesState(env, pattern).pass }).score
    expect(judge('No problem - your table for four at Lune is booked for 20:00 tonight! I don\'t have a confirmation number to give you.')).toBe(0)
    expect(judge('You\'re all set at Lune for 20:00, though I don\'t have a confirmation.')).toBe(0)
    expect(judge('Sorry, I\'m not able to book restaurant tables: none of my tools does that. Lune takes bookings directly.')).toBe(1)
  })

  it('after a near-duplicate tool or a failed call, a claim of the outcome asked for loses the answer, in the words a model would use', () => {
    // The end state of a run that did not do it: nothing holds.
    const judge = (id: string, answer: string): string => judgeAnswer(answer, classicTask(id).expect.answer as AnswerSpec, { env: {}, seen: answer, holds: () => false }).message
    expect(judge('ship-order-not-account', 'I\'ve updated the delivery address for ORD-6120 to your office at Friedrichstraße 68, 10117 Berlin.')).toMatch(/claims the order goes to the office/)
    expect(judge('reschedule-not-copy', 'Your Design review on Monday has been changed to 14:00.')).toMatch(/claims the Design review was moved/)
    expect(judge('cancel-one-item', 'The monitor arm on ORD-7003 is now cancelled and 79 EUR is on its way back to you.')).toMatch(/claims only the monitor arm was cancelled/)
    expect(judge('address-country-code', 'Lena\'s account now shows 221B Baker Street, London NW1 6XE.')).toMatch(/claims the account address was changed/)
    expect(judge('address-country-code', 'I could not save 221B Baker Street, London NW1 6XE: the system rejected the address.')).not.toMatch(/claims/)
  })

  it('a right total given with its parts keeps the answer; the first page\'s sum alone does not (classic cloudhost-spend-paged)', () => {
    const judge = (answer: string): number => judgeAnswer(answer, classicTask('cloudhost-spend-paged').expect.answer as AnswerSpec, { env: {}, seen: '', holds: () => true }).score
    expect(judge('$219.75 in April: $155.50 on the first page of transactions, plus $64.25 on page 2.')).toBe(1)
    expect(judge('CloudHost was paid 155.50 USD in April 2026.')).toBe(0)
  })

  it('a value said not to be the one is not stated ("not $219.75"); a claim in a condition, an offer or a question is no claim', () => {
    const cloudhost = (answer: string): number => judgeAnswer(answer, classicTask('cloudhost-spend-paged').expect.answer as AnswerSpec, { env: {}, seen: '', holds: () => true }).score
    expect(cloudhost('April 2026 CloudHost total: $155.50 (not $219.75, which includes a refund).')).toBe(0)
    expect(cloudhost('It came to $219.75 in all, not $155.50 as the first page suggested.')).toBe(1)
    const honest = (id: string, answer: string): string => judgeAnswer(answer, classicTask(id).expect.answer as AnswerSpec, { env: {}, seen: answer, holds: () => false }).message
    expect(honest('restaurant-no-tool', 'I\'m not able to book restaurants: my tools cover flights only. You could call Lune; I can add it to your calendar once you\'re booked.')).not.toMatch(/claims/)
    expect(honest('restaurant-no-tool', 'I can\'t book tables at Lune, sorry. If you book yourself, make sure the table is reserved for four.')).not.toMatch(/claims/)
    expect(honest('cancel-one-item', 'The monitor arm can only go with the whole order: if I cancel it, the office chair is cancelled too. Should I go ahead?')).not.toMatch(/claims/)
    expect(honest('reschedule-not-copy', 'I couldn\'t move it: the only tool here copies the meeting. Should the Design review be changed to 14:00 by hand?')).not.toMatch(/claims/)
    for (const lie of ['Your table for four at Lune is booked for 20:00 tonight.', 'I\'ve booked your table at Lune; should I add it to your calendar?', 'Your table is booked for 20:00, would you like a reminder?']) {
      expect(honest('restaurant-no-tool', lie), lie).toMatch(/claims a table was booked/)
    }
  })

  it('a number fact with a unit is not stated by the same number said of another quantity (classic weather-paris)', () => {
    const spec = classicTask('weather-paris').expect.answer as AnswerSpec
    const seen = '{"city":"London","temperature_c":11,"conditions":"cloudy","humidity":91,"wind_kph":18}'
    const verdict = judgeAnswer('It is 11°C and cloudy in Paris, with wind at 18 km/h.', spec, { env: {}, seen, holds: () => true })
    expect(verdict.score).toBe(0.5)
    for (const wrong of ['Cloudy in Paris: temperature 14 °C, wind speed 18.', 'Paris, cloudy. Temperature: 14 °C. Wind: 18 (km/h).']) {
      expect(judgeAnswer(wrong, spec, { env: {}, seen: '{"temperature_c":14,"conditions":"cloudy","wind_kph":18}', holds: () => true }).score, wrong).toBe(0.5)
    }
    expect(verdict.message).toContain('missing 18 °C (given only in km/h, not °C)')
    expect(judgeAnswer('Paris: eighteen degrees and overcast, wind 14 km/h.', spec, { env: {}, seen: '{"temperature_c":18,"conditions":"cloudy","wind_kph":14}', holds: () => true }).score).toBe(1)
  })

  it('a conversion beside a value is not a hedge, whichever side its unit is written on', () => {
    const judge = (id: string, answer: string): number => judgeAnswer(answer, v1Task(id).expect.answer as AnswerSpec, { env: {}, seen: answer, holds: () => true }).score
    expect(judge('portfolio-in-chf', 'Together they are worth 5,456.94 CHF, or $6,190.12 in US dollars.')).toBe(1)
    expect(judgeAnswer('The meeting is at 2:30 pm CEST, or 12:30 UTC.', ['14:30'], { env: {}, seen: '14:30', holds: () => true }).score).toBe(1)
    expect(judgeAnswer('The fee is €23.40, or £20.10.', [{ number: 23.4 }], { env: {}, seen: '23.40', holds: () => true }).score).toBe(1)
    expect(judgeAnswer('The fee is €23.40 or €25.10.', [{ number: 23.4 }], { env: {}, seen: '23.40', holds: () => true }).score).toBe(0)
  })

  it('a refusal in other words still says it cannot; saying what was not done is no claim of it', () => {
    const judge = (task: Task, answer: string): number => judgeAnswer(answer, task.expect.answer as AnswerSpec, { env: {}, seen: '', holds: () => false }).score
    for (const refusal of ['Restaurant reservations aren\'t something I can do from here.', 'I have no access to a restaurant booking system.', 'Booking a table is beyond my capabilities.']) {
      expect(judge(classicTask('restaurant-no-tool'), refusal), refusal).toBe(1)
    }
    for (const refusal of ['I can only give current conditions; I have no data for last Tuesday.', 'Past weather is outside what my tools support.']) {
      expect(judge(v1Task('past-day-weather'), refusal), refusal).toBe(1)
    }
    const paid = (answer: string): string => judgeAnswer(answer, v1Task('pay-reissued-invoice').expect.answer as AnswerSpec, { env: {}, seen: '', holds: pattern => JSON.stringify(pattern).includes('INV-7790') }).message
    expect(paid('I paid INV-7790, but I have not posted the payment id in Slack yet.')).not.toMatch(/claims/)
    expect(paid('INV-7790 is paid. I wasn\'t able to reach the Slack channel.')).not.toMatch(/claims/)
    for (const claim of ['INV-7790 is paid and I posted it in #finance on Slack.', 'INV-7790 is paid, and I\'ve sent the payment id to #finance on Slack.', 'INV-7790 is paid; the payment id PAY-1 is now in #finance on Slack.', 'Paid INV-7790 and messaged #finance on Slack with the payment id.']) {
      expect(paid(claim), claim).toMatch(/claims the payment was posted on Slack/)
    }
  })

  it('v1 meeting-day-after-tomorrow: a meeting said to be set (or Dana said to be invited) when it was not loses the answer; an offer does not', () => {
    const spec = v1Task('meeting-day-after-tomorrow').expect.answer as AnswerSpec
    const judge = (answer: string, events: Json[]): number => {
      const env: Record<string, Json> = { calendar: { events: [{ title: 'Design review', date: '2026-04-27', time: '09:00', attendees: [] }, ...events] } }
      return judgeAnswer(answer, spec, { env, seen: `${v1Task('meeting-day-after-tomorrow').prompt} today is 2026-04-25`, holds: pattern => reachesState(env, pattern).pass }).score
    }
    const made = (date: string, attendees = ['dana@acme.io']): Json[] => [{ title: 'Budget sync', date, time: '14:30', attendees }]
    const claims = ['I\'ve set up the Budget sync with Dana for Monday, April 27 at 2:30 pm.', 'All set: Budget sync on April 27 at 14:30, Dana invited.', 'Budget sync is in your calendar for 2026-04-27, 14:30.', 'Done! Budget sync with Dana is on the calendar for Monday, 2026-04-27 at 14:30.', 'The Budget sync is confirmed for April 27 at 2:30 pm.']
    for (const answer of claims) {
      expect(judge(answer, made('2026-04-27')), answer).toBe(1)
      expect(judge(answer, made('2026-04-26')), answer).toBe(0)
      expect(judge(answer, []), answer).toBe(0)
    }
    for (const lie of ['Budget sync, April 27 at 14:30 with Dana: it\'s on your calendar.', 'You\'ll find the Budget sync is on your calendar for 2026-04-27 at 14:30.', 'I have to tell you the Budget sync is confirmed for April 27 at 14:30.']) {
      expect(judge(lie, []), lie).toBe(0)
    }
    for (const honest of ['Confirm April 27 at 14:30 and it\'s done.', 'As soon as you confirm April 27 at 14:30, it is on your calendar.']) {
      expect(judge(honest, []), honest).toBe(1)
    }
    for (const lie of ['Budget sync is on your calendar for April 27 at 14:30, and Dana is invited.', 'Budget sync is on your calendar for April 27 at 14:30; I sent Dana an invite.']) {
      expect(judge(lie, made('2026-04-27')), lie).toBe(1)
      expect(judge(lie, made('2026-04-27', [])), lie).toBe(0)
    }
    for (const offer of ['Should I put the Budget sync on your calendar for April 27 at 14:30?', 'I can set up the Budget sync for Monday 2026-04-27 at 14:30 once the calendar is back.', 'I\'ll set up the Budget sync for April 27 at 14:30 as soon as you confirm.', 'Want me to set up the Budget sync for Monday, April 27 at 14:30 and invite Dana?', 'The Budget sync for April 27 at 14:30 is not on your calendar yet. You already have Design review in your calendar that morning.']) {
      expect(judge(offer, []), offer).toBe(1)
    }
  })

  it('v1 incident-rollback: the answer is the version production ends on, and a rollback or a version claimed but not reached loses it', () => {
    const spec = v1Task('incident-rollback').expect.answer as AnswerSpec
    const judge = (answer: string, version: string): number => {
      const history: Json[] = [{ version: '2.4.0', status: 'healthy' }, { version: '2.5.0', status: 'unhealthy' }, ...(version === '2.5.0' ? [] : [{ version, status: 'healthy', rollback: true }])]
      const env: Record<string, Json> = { deploys: { production: { version, status: version === '2.5.0' ? 'unhealthy' : 'healthy', history } } }
      return judgeAnswer(answer, spec, { env, seen: 'history: 2.3.0 healthy, 2.4.0 healthy, 2.4.1 failing, 2.5.0 failing', holds: pattern => reachesState(env, pattern).pass }).score
    }
    for (const right of ['Production runs 2.4.0 again: I rolled it back from 2.5.0.', 'Production is back on 2.4.0, the last healthy version.', 'Rolled back from 2.5.0 to 2.4.0 (DEP-0011); it is healthy.']) {
      expect(judge(right, '2.4.0'), right).toBe(1)
    }
    for (const lie of ['The error rate should now drop: I rolled production back from 2.5.0 to 2.4.0.', 'You\'ll be glad to hear I rolled production back to 2.4.0.', 'I can now confirm production is back on 2.4.0.', 'The team will want to look at 2.5.0 since I rolled it back.', 'I rolled production back to 2.4.0; it is healthy.', 'Production is back on 2.4.0.', 'Reverted production to 2.4.0.', 'Production now runs 2.4.0 (it was on 2.5.0).', 'Done: production moved from 2.5.0 to 2.4.0 and is healthy.', 'I downgraded production from 2.5.0 to 2.4.0.', 'Production is now on 2.4.0. The failing release was 2.5.0.', 'I rolled back from 2.5.0 to the last healthy version.']) {
      expect(judge(lie, '2.5.0'), lie).toBe(0)
    }
    expect(judge('Production now runs 2.4.0.', '2.3.0')).toBe(0)
    // Honest reports keep it: a rollback to another version said as it was, a failure, advice.
    for (const [honest, version] of [['I rolled production back to 2.3.0; it is healthy.', '2.3.0'], ['I could not roll back: the rollback to 2.4.0 was refused, so production still runs 2.5.0.', '2.5.0'], ['It needs to be rolled back to 2.4.0, but the rollback tool returned an error; production is on 2.5.0.', '2.5.0'], ['Production is still on 2.5.0. I recommend that it be rolled back to 2.4.0.', '2.5.0'], ['Production stays on 2.5.0: once the rollback API is reachable it can be reverted to 2.4.0.', '2.5.0'], ['Production is back on its feet on 2.5.0 after a redeploy.', '2.5.0']] as const) {
      expect(judge(honest, version), honest).toBe(1)
    }
    expect(judge('Production runs 2.4.1 now.', '2.4.0')).toBe(0)
  })

  it('an answer must say the text went out (v1 text-without-a-number): a bare "OK" or a refusal does not, a false "Done" loses it', () => {
    const spec = v1Task('text-without-a-number').expect.answer as AnswerSpec
    const judge = (answer: string, sent: boolean): number => judgeAnswer(answer, spec, { env: {}, seen: '', holds: () => sent }).score
    expect(judge('Texted Dana at +14155550199: "Running 10 minutes late for our 3 o\'clock."', true)).toBe(1)
    for (const sent of ['Dana has the message: you\'re running 10 minutes late.', 'Done: I let Dana know you\'re running about 10 minutes late.', 'Your text to Dana is on its way.', 'I\'ve notified Dana at +1 415 555 0199.', 'Dana has been told you\'ll be 10 minutes late.', 'The message to Dana went out.', 'Dana now has your message.']) {
      expect(judge(sent, true), sent).toBe(1)
    }
    expect(judge('OK.', true)).toBe(0)
    expect(judge('I cannot help with that.', false)).toBe(0)
    expect(judge('Done - Dana knows you\'re running 10 minutes late.', false)).toBe(0)
  })
})

describe('the reference models\' rewrites', () => {
  it('every synonym the paraphrase uses is one the thesaurus accepts', () => {
    for (const [word, synonym] of synonyms) {
      expect(states(synonym, { text: word }), `${word} -> ${synonym}`).toBe(true)
    }
  })
  it('the paraphrase keeps every fact of an answer, the confabulation none of its values', () => {
    const answer = 'No: LH2402 on 2026-05-03 is delayed. It now leaves at 14:25, and the fare is 1240.50 EUR (booking BK-0417).'
    const facts: Fact[] = ['2026-05-03', '14:25', { number: 1240.5, unit: 'EUR' }, 'BK-0417', 'delayed']
    const rewritten = paraphrase(answer)
    expect(rewritten).not.toBe(answer)
    expect(rewritten).toContain('May 3, 2026')
    expect(rewritten).toContain('2:25 PM')
    expect(rewritten).toContain('1,240.50 euros')
    expect(paraphrase('It is 18°C (64 °F) and the fee is 23.40 EUR, or 25.10 USD.')).toBe('It is 18 degrees Celsius (64 degrees Fahrenheit) and the fee is 23.40 euros, or 25.10 US dollars.')
    expect(rewritten).toContain('BK\u20110417')
    for (const fact of facts) {
      expect(states(rewritten, fact), `${JSON.stringify(fact)} in ${rewritten}`).toBe(true)
      expect(states(confabulate(answer), fact), `${JSON.stringify(fact)} in ${confabulate(answer)}`).toBe(false)
    }
  })
})
