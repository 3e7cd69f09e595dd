// Answer matching: whether a final answer states a fact, compared by meaning rather than spelling. Pure: text in,
// verdicts out. A fact is typed (a number with a tolerance, a date, a time, an id, or text with synonyms); the answer is
// folded first (Unicode dashes and minus, curly quotes, NBSP, fullwidth forms, case, whitespace) and each type reads
// the common ways of writing its values. Text and claims are read with negation in mind ("not sent" is no claim of
// sending), and a fact can be tied to the entity it belongs to ("the Cedar archive's code"), so swapped facts fail.

import type { Json, ToolEnv } from './types.ts'

/** A value read from the run's end state (`"deploys.production.deploy_id"`; `-1` indexes an array's last element). */
interface StateRef {
  $state: string
}

interface FactOptions {
  /** Names of the entity the fact belongs to ("Cedar archive", "Cedar"): the answer must pair the value with it. */
  about?: string | string[]
  /** The value is computed by the model (a sum, a count), so no tool result needs to hold it. */
  derived?: boolean
}

/**
 * A fact as task data writes it. A plain string is typed by its shape: `2026-09-14` a date, `14:25` a time, `787.5` a
 * number (exact to its written precision), `4.1.0` a version, `ORD-5531` an id, anything else text. A number fact with a
 * `unit` is not stated by the same number written in another unit ("18 km/h" for `{ number: 18, unit: '°C' }`).
 */
export type Fact =
  | string
  | ({ number: number | StateRef, tolerance?: number, unit?: FactUnit } & FactOptions)
  | ({ date: string | StateRef } & FactOptions)
  | ({ time: string | StateRef } & FactOptions)
  | ({ id: string | StateRef } & FactOptions)
  | ({ version: string | StateRef } & FactOptions)
  | ({ text: string, synonyms?: string[] } & FactOptions)
  | { anyOf: Fact[] }

/** An action the answer may claim only when the end state shows it done. */
export interface Claim {
  /** Phrases that claim it ("sent it", "booked jonas"), read with negation in mind. */
  says: string[]
  /** The state pattern (checks.ts reachesState) that makes the claim true. */
  holds: Json
  /** What is claimed, for the message ("the email was sent"). */
  label?: string
}

/** What a final answer must (and must not) say. A plain array is `{ facts }`. */
export type AnswerSpec = Fact[] | {
  facts: Fact[]
  /** Facts that must not be stated: another record's, a value the task's data rules out. Stating one loses the answer. */
  wrong?: Fact[]
  /** Actions the answer may claim only when they happened. */
  claims?: Claim[]
  /** Other names that values in the answer may belong to (the cities not asked about), so attribution can tell them apart. */
  entities?: string[][]
}

type FactKind = 'number' | 'date' | 'time' | 'id' | 'version' | 'text'

/** A fact with its value resolved and its kind known. */
interface ResolvedFact {
  kind: FactKind
  /** number: the value; date: `YYYY-MM-DD`; time: minutes after midnight; id and text: as written. */
  value: number | string
  /** The fact as a reader sees it, for messages. */
  shown: string
  /** Numbers: the largest difference accepted. */
  tolerance: number
  /** Numbers: the unit the value is in, when the fact names one. */
  unit?: FactUnit
  /** Text: the phrase and its synonyms, folded. */
  phrases: string[]
  about?: string[]
  derived: boolean
}

// ---------------------------------------------------------------------------------------------------
// Folding

const dashes = /[\u2010-\u2015\u2212\u2043\uFE58\uFE63\uFF0D]/g
const singleQuotes = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g
const doubleQuotes = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g
const spaces = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g
const invisible = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g

/** Unicode forms a model may write folded to one: dashes and minus to `-`, curly quotes to straight, odd spaces to one space. Keeps case. */
function normalizeText(text: string): string {
  // The ordinal sign and the ring above, typed for a degree ("18ºC", "18˚F"), before NFKC turns the first into an "o".
  return text.replace(/[º˚](?=\s?[CFcf](?![a-z]))/g, '°').normalize('NFKC').replace(invisible, '').replace(dashes, '-').replace(singleQuotes, '\'').replace(doubleQuotes, '"').replace(spaces, ' ')
}

/** The text as answers are compared: normalised, lower case, runs of whitespace as one space. */
export function fold(text: string): string {
  return normalizeText(text).toLowerCase().replace(/\s+/g, ' ').trim()
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// ---------------------------------------------------------------------------------------------------
// Synonyms shared by every task: outcome words that mean the same. A task adds its own in `synonyms`.

export const thesaurus: readonly (readonly string[])[] = [
  ['sold out', 'fully booked', 'no seats left', 'no seats available', 'no seats remaining', 'no available seats', 'no remaining seats', 'booked up', 'no seats'],
  ['cloudy', 'overcast', 'clouds', 'cloud cover'],
  ['delayed', 'running late', 'behind schedule', 'delay'],
  ['in transit', 'on its way', 'on the way', 'en route'],
  ['unavailable', 'not available', 'is down', 'was down', 'are down', 'out of service', 'not responding', 'rate limited', 'rate-limited', 'failing', 'outage'],
  ['not found', 'does not exist', 'doesn\'t exist', 'no such booking', 'no booking', 'could not be found', 'couldn\'t be found', 'no record'],
  ['draft', 'drafted'],
  ['healthy', 'passing its health checks', 'passing health checks', 'health check passes', 'up and healthy'],
]

function synonymsOf(phrase: string): string[] {
  const folded = fold(phrase)
  const set = thesaurus.find(words => words.some(word => fold(word) === folded))
  return set ? set.map(fold) : [folded]
}

// ---------------------------------------------------------------------------------------------------
// Reading values out of text. Each reader returns spans of the folded text, so overlapping readings can be masked.

export interface Span {
  start: number
  end: number
}

/** Whether two spans of a text share a character. */
const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end

const months = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
const monthPattern = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?'
const weekday = '(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\\.?,?\\s+)?'
const ordinal = '(?:st|nd|rd|th)?'

const monthOf = (name: string): number => months.findIndex(month => month.startsWith(name.slice(0, 3))) + 1
const isoDate = (year: number, month: number, day: number): string => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`

/** A date read from text; `year` is undefined when the text leaves it out ("Sept. 14th"). */
interface DateReading extends Span {
  year?: number
  month: number
  day: number
}

const datePatterns: { pattern: RegExp, read: (m: RegExpExecArray) => Omit<DateReading, 'start' | 'end'>[] }[] = [
  // 2026-09-14, 2026/09/14, 2026.09.14
  { pattern: /(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])/g, read: m => [{ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }] },
  // September 14, 2026; Sept. 14th; Monday, April 28
  { pattern: new RegExp(`(?<![a-z])${weekday}${monthPattern}\\s+(\\d{1,2})${ordinal}(?![\\d:])(?:,?\\s+(\\d{4}))?`, 'g'), read: m => [{ month: monthOf(m[1] ?? ''), day: Number(m[2]), ...(m[3] ? { year: Number(m[3]) } : {}) }] },
  // 14 Sep 2026; 14th of September; Tuesday 14 September 2026
  { pattern: new RegExp(`(?<![\\d.:])${weekday}(\\d{1,2})${ordinal}\\s+(?:of\\s+)?${monthPattern}(?![a-z])(?:,?\\s+(\\d{4}))?`, 'g'), read: m => [{ day: Number(m[1]), month: monthOf(m[2] ?? ''), ...(m[3] ? { year: Number(m[3]) } : {}) }] },
  // 14/09/2026 or 09/14/2026: both readings, when both are dates
  {
    pattern: /(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d])/g,
    read: (m) => {
      const [a, b, year] = [Number(m[1]), Number(m[2]), Number(m[3])]
      return [{ year, month: b, day: a }, { year, month: a, day: b }]
    },
  },
]

/** Every date in the (folded) text, in every reading it allows. */
export function readDates(text: string): DateReading[] {
  const found: DateReading[] = []
  for (const { pattern, read } of datePatterns) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index ?? 0
      for (const reading of read(match as RegExpExecArray)) {
        if (reading.month >= 1 && reading.month <= 12 && reading.day >= 1 && reading.day <= 31) {
          found.push({ ...reading, start, end: start + match[0].length })
        }
      }
    }
  }
  return found
}

interface TimeReading extends Span {
  /** Minutes after midnight. */
  minutes: number
}

/** A part of the day after a time without am or pm: "3:30 in the afternoon", "9 in the morning", "11 at night". */
const dayPart = '(?:\\s+(?:in the |this |at )?(morning|afternoon|evening|night|tonight))?'

/** Hours on a 24-hour clock from a 12-hour reading and the part of the day it was said to be in. */
function inDayPart(hours: number, part: string | undefined): number {
  if (part === undefined || hours > 12) {
    return hours
  }
  if (part === 'morning') {
    return hours === 12 ? 0 : hours
  }
  if (part === 'night' && hours === 12) {
    return 0
  }
  return hours < 12 && !(part === 'night' && hours < 5) ? hours + 12 : hours
}

/**
 * Every time of day in the (folded) text: 14:25, 14h25, 2:25 pm, 9.30am, 2 p.m., 3:30 in the afternoon, 3 o'clock,
 * noon, midnight.
 */
export function readTimes(text: string): TimeReading[] {
  const found: TimeReading[] = []
  const clock = new RegExp(`(?<![\\d:.])(\\d{1,2})(?::|h(?=\\d{2})|\\.(?=\\d{2}\\s*[ap]\\.?\\s?m\\b))(\\d{2})(?::\\d{2})?(?!\\d)(?:\\s*([ap])\\.?\\s?m\\b\\.?)?${dayPart}`, 'g')
  for (const match of text.matchAll(clock)) {
    if (unitBefore(text, match.index ?? 0) !== undefined) {
      continue // "£12.50 pm" (a price a month) is no time
    }
    let hours = Number(match[1])
    const minutes = Number(match[2])
    const meridiem = match[3]
    if (meridiem && (hours < 1 || hours > 12)) {
      continue
    }
    if (meridiem === 'p' && hours < 12) {
      hours += 12
    }
    if (meridiem === 'a' && hours === 12) {
      hours = 0
    }
    if (!meridiem) {
      hours = inDayPart(hours, match[4])
    }
    if (hours <= 23 && minutes <= 59) {
      found.push({ start: match.index ?? 0, end: (match.index ?? 0) + match[0].length, minutes: hours * 60 + minutes })
    }
  }
  for (const match of text.matchAll(/(?<![\d:.])(\d{1,2})\s*([ap])\.?\s?m\b\.?/g)) {
    const hours = Number(match[1])
    if (hours >= 1 && hours <= 12 && unitBefore(text, match.index ?? 0) === undefined) {
      found.push({ start: match.index ?? 0, end: (match.index ?? 0) + match[0].length, minutes: ((hours % 12) + (match[2] === 'p' ? 12 : 0)) * 60 })
    }
  }
  // The first hour of "2 or 3 pm", "2-3 pm", "2 to 3 pm", "between 2 and 3 pm" shares the second's am or pm.
  for (const match of text.matchAll(/(?<![\d:.,$€£¥])(\d{1,2})(\s*(?:or|to|-)\s*|(?<=between \d{1,2})\s+and\s+)\d{1,2}(?::\d{2})?\s*([ap])\.?\s?m\b/g)) {
    const hours = Number(match[1])
    if (hours >= 1 && hours <= 12) {
      const start = match.index ?? 0
      found.push({ start, end: start + (match[1] ?? '').length, minutes: ((hours % 12) + (match[3] === 'p' ? 12 : 0)) * 60 })
    }
  }
  // A bare hour said as one: "3 o'clock", "9 in the morning", "3 o'clock in the afternoon".
  const hour = new RegExp(`(?<![\\d:.,])(\\d{1,2})(?:\\s*o'clock${dayPart}|\\s+(?:in the (morning|afternoon|evening)|at (night)))(?![\\w:])`, 'g')
  for (const match of text.matchAll(hour)) {
    const hours = inDayPart(Number(match[1]), match[2] ?? match[3] ?? match[4])
    if (Number(match[1]) >= 1 && Number(match[1]) <= 12) {
      found.push({ start: match.index ?? 0, end: (match.index ?? 0) + match[0].length, minutes: hours * 60 })
    }
  }
  for (const match of text.matchAll(/\b(noon|midday|midnight)\b/g)) {
    found.push({ start: match.index ?? 0, end: (match.index ?? 0) + match[0].length, minutes: match[1] === 'midnight' ? 0 : 720 })
  }
  return found
}

const currencyCodes = new Set(['usd', 'eur', 'gbp', 'chf', 'jpy', 'cad', 'aud', 'inr', 'cny', 'sek', 'nok', 'dkk'])
const units = new Set(['c', 'f', 'k', 'm', 'g', 's', 'h', 'km', 'kg', 'lb', 'lbs', 'mi', 'ml', 'mm', 'cm', 'ft', 'oz', 'ms', 'min', 'gb', 'mb', 'kb', 'x', 'st', 'nd', 'rd', 'th', 'am', 'pm', ...currencyCodes])
/** A currency code written against its amount ("EUR23.40"): an amount, not an id. */
const codeThenAmount = new RegExp(`^(?:${[...currencyCodes].join('|')})\\d`)

/**
 * Tokens that are ids, not numbers: letters then digits (ORD-5531, LH2402, GEN-58213-K) or digits mixed with letters
 * (1Z91Q7, 14C). A quantity with a unit (18C, 42km, 45-minute) or an ordinal (14th) is not an id.
 */
export function readIds(text: string): Span[] {
  const found: Span[] = []
  for (const match of text.matchAll(/(?<![a-z0-9])[a-z0-9]+(?:-[a-z0-9]+)*(?![a-z0-9])/g)) {
    const token = match[0]
    if (!/[a-z]/.test(token) || !/\d/.test(token)) {
      continue
    }
    const quantity = /^\d+(?:-?([a-z]+))$/.exec(token)
    if ((quantity && (units.has(quantity[1] ?? '') || token.includes('-'))) || codeThenAmount.test(token)) {
      continue
    }
    found.push({ start: match.index ?? 0, end: (match.index ?? 0) + token.length })
  }
  return found
}

const numberWords: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
}

interface NumberReading extends Span {
  value: number
  /** True when the text wrote a sign (`-3`, `+3`), so the value's sign is meant. */
  signed: boolean
}

/**
 * A number as written, read with its grouping: `1,240.00`, `1 240`, `1.240,50`, `787,49`, `1'240`. A comma (or a dot)
 * followed by exactly three digits groups thousands; followed by one, two or four or more, it is a decimal mark.
 */
export function parseNumber(raw: string): number | undefined {
  const text = raw.replace(/[\s']/g, ' ').trim()
  if (/^\d{1,3}(?: \d{3})+(?:[.,]\d+)?$/.test(text)) {
    return Number(text.replace(/ /g, '').replace(',', '.'))
  }
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(text)) {
    return Number(text.replace(/,/g, ''))
  }
  if (/^\d{1,3}(?:\.\d{3})+,\d+$/.test(text)) {
    return Number(text.replace(/\./g, '').replace(',', '.'))
  }
  if (/^\d+,\d{1,2}$/.test(text) || /^\d+,\d{4,}$/.test(text)) {
    return Number(text.replace(',', '.'))
  }
  if (/^\d+(?:\.\d+)?$/.test(text) || /^\.\d+$/.test(text)) {
    return Number(text)
  }
  return undefined
}

/** Blanks out spans (same length), so one reading of the text is not read again as another kind. */
function mask(text: string, spans: Span[]): string {
  let out = text
  for (const span of spans) {
    out = out.slice(0, span.start) + ' '.repeat(span.end - span.start) + out.slice(span.end)
  }
  return out
}

/** Every number in the (folded) text that is not part of a date, a time or an id; number words up to twenty too. */
export function readNumbers(text: string): NumberReading[] {
  const masked = mask(text, [...readDates(text), ...readTimes(text), ...readIds(text)])
  const found: NumberReading[] = []
  for (const match of masked.matchAll(/(?<![\d.,])([-+])?((?:\d{1,3}(?:[ ,'.]\d{3})+|\d+)(?:[.,]\d+)?|\.\d+)(?![\d])/g)) {
    const value = parseNumber(match[2] ?? '')
    if (value !== undefined) {
      found.push({ start: match.index ?? 0, end: (match.index ?? 0) + match[0].length, value: match[1] === '-' ? -value : value, signed: match[1] !== undefined })
    }
  }
  for (const match of masked.matchAll(/\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)\b/g)) {
    found.push({ start: match.index ?? 0, end: (match.index ?? 0) + match[0].length, value: numberWords[match[1] ?? ''] ?? 0, signed: false })
  }
  return found
}

// Units: a number fact may name the unit its value is in (`{ "number": 18, "unit": "°C" }`), so the same number said of
// another quantity ("wind at 18 km/h") does not state it. A value with no unit written, or one not in this table,
// still counts: only a unit the table knows, and the fact's is not among, rules a mention out.

/** The units a number fact may name. */
export const factUnits = ['°C', '°F', 'km/h', 'mph', 'm/s', 'knots', '%', 'USD', 'EUR', 'GBP', 'CHF', 'JPY', 'AUD', 'CAD', 'km', 'mi', 'kg', 'lb'] as const
type FactUnit = typeof factUnits[number]

const dollars: FactUnit[] = ['USD', 'AUD', 'CAD']
const degrees: FactUnit[] = ['°C', '°F']

/** How answers write a unit after a value, and the units each form can be. */
const unitsAfter: [string, FactUnit[]][] = [
  ['°c', ['°C']], ['degrees celsius', ['°C']], ['degrees centigrade', ['°C']], ['degrees c', ['°C']], ['deg c', ['°C']], ['celsius', ['°C']], ['centigrade', ['°C']], ['c', ['°C']],
  ['°f', ['°F']], ['degrees fahrenheit', ['°F']], ['degrees f', ['°F']], ['deg f', ['°F']], ['fahrenheit', ['°F']], ['f', ['°F']],
  ['degrees', degrees], ['degree', degrees], ['deg', degrees], ['°', degrees],
  ['km/h', ['km/h']], ['kmh', ['km/h']], ['kph', ['km/h']], ['km per hour', ['km/h']], ['kilometers per hour', ['km/h']], ['kilometres per hour', ['km/h']],
  ['mph', ['mph']], ['miles per hour', ['mph']], ['m/s', ['m/s']], ['meters per second', ['m/s']], ['metres per second', ['m/s']],
  ['knots', ['knots']], ['knot', ['knots']], ['kts', ['knots']], ['kt', ['knots']], ['kn', ['knots']],
  ['%', ['%']], ['percent', ['%']], ['per cent', ['%']],
  ['usd', ['USD']], ['us dollars', ['USD']], ['american dollars', ['USD']], ['australian dollars', ['AUD']], ['canadian dollars', ['CAD']], ['dollars', dollars], ['dollar', dollars],
  ['eur', ['EUR']], ['euros', ['EUR']], ['euro', ['EUR']], ['gbp', ['GBP']], ['pounds sterling', ['GBP']], ['sterling', ['GBP']],
  ['chf', ['CHF']], ['swiss francs', ['CHF']], ['francs', ['CHF']], ['franc', ['CHF']], ['jpy', ['JPY']], ['yen', ['JPY']], ['aud', ['AUD']], ['cad', ['CAD']],
  ['$', dollars], ['€', ['EUR']], ['£', ['GBP']], ['¥', ['JPY']],
  ['km an hour', ['km/h']], ['kilometers an hour', ['km/h']], ['kilometres an hour', ['km/h']], ['miles an hour', ['mph']],
  ['us$', ['USD']], ['nzd', []], ['hkd', []], ['sgd', []], ['mxn', []], ['brl', []], ['inr', []], ['cny', []], ['sek', []], ['nok', []], ['dkk', []], ['pln', []], ['zar', []], ['krw', []],
  ['km', ['km']], ['kilometers', ['km']], ['kilometres', ['km']], ['mi', ['mi']], ['miles', ['mi']], ['mile', ['mi']],
  ['kg', ['kg']], ['kilograms', ['kg']], ['kilos', ['kg']], ['lbs', ['lb']], ['lb', ['lb']], ['pounds', ['GBP', 'lb']], ['pound', ['GBP', 'lb']],
]
/** How answers write a currency before a value. */
const unitsBefore: [string, FactUnit[]][] = [
  ['us$', ['USD']], ['$us', ['USD']], ['nz$', []], ['hk$', []], ['sg$', []], ['s$', []], ['mx$', []], ['r$', []], ['nzd', []], ['hkd', []], ['sgd', []], ['inr', []], ['cny', []], ['a$', ['AUD']], ['au$', ['AUD']], ['c$', ['CAD']], ['ca$', ['CAD']], ['$', dollars], ['€', ['EUR']], ['£', ['GBP']], ['¥', ['JPY']],
  ['usd', ['USD']], ['eur', ['EUR']], ['gbp', ['GBP']], ['chf', ['CHF']], ['sfr.', ['CHF']], ['sfr', ['CHF']], ['fr.', ['CHF']], ['jpy', ['JPY']], ['aud', ['AUD']], ['cad', ['CAD']],
]
const byLength = (forms: [string, FactUnit[]][]): string => [...forms].sort((a, b) => b[0].length - a[0].length).map(([form]) => escape(form).replace(/ /g, '\\s+').replace(/°/g, '°\\s*')).join('|')
const unitAfterPattern = new RegExp(`^\\s*\\(?\\s*(${byLength(unitsAfter)})(?![a-z/])`)
const unitBeforePattern = new RegExp(`(?:^|[^a-z])(${byLength(unitsBefore)})\\s*$`)

/** A quantity named right before a value written without its unit ("wind speed 18", "humidity: 72"), and its units. */
const quantityLabel = /\b(wind(?:s| speed)?|gusts?|humidity|temperature|temp)\b(?:\s*(?:[:=(]|\bis\b|\bwas\b|\bof\b|\bat\b|\baround\b|\babout\b|\bup to\b))*\s*$/
const labelUnits = (label: string): FactUnit[] => (label.startsWith('humid') ? ['%'] : label.startsWith('temp') ? degrees : ['km/h', 'mph', 'm/s', 'knots'])

/**
 * The units a number at this span of the folded text is in, if the table knows them: written after it ("18 km/h",
 * "18 (km/h)"), a currency before it ("$18"), or, with neither, the quantity it is said of ("wind speed 18").
 */
function writtenUnits(folded: string, span: Span): FactUnit[] | undefined {
  const lookUp = (forms: [string, FactUnit[]][], written: string | undefined): FactUnit[] | undefined =>
    written === undefined ? undefined : forms.find(([form]) => form === written.replace(/\s+/g, ' ').replace(/°\s*/, '°'))?.[1]
  const label = quantityLabel.exec(folded.slice(Math.max(0, span.start - 30), span.start))?.[1]
  return lookUp(unitsAfter, unitAfterPattern.exec(folded.slice(span.end))?.[1]) ?? lookUp(unitsBefore, unitBeforePattern.exec(folded.slice(Math.max(0, span.start - 8), span.start))?.[1]) ?? (label === undefined ? undefined : labelUnits(label))
}

/** Whether a number mention can be in the unit: no known unit is written beside it, or the unit written can be this one. */
const inUnit = (folded: string, span: Span, unit: FactUnit | undefined): boolean => unit === undefined || (writtenUnits(folded, span)?.includes(unit) ?? true)

/** A pattern for an id: its letter and digit runs in order, with any dash, space or underscore (or none) between them. */
function idPattern(id: string): RegExp {
  const runs = fold(id).match(/[a-z]+|\d+/g) ?? [fold(id)]
  return new RegExp(`(?<![a-z0-9])${runs.map(escape).join('[-\\s_./]?')}(?![a-z0-9])`, 'g')
}

/** The id's family: same letter prefix, any digits (`ORD-5531` -> ORD-1234 ids), or undefined when it has no prefix. */
function familyPattern(id: string): RegExp | undefined {
  const match = /^([a-z]{2,})[-\s_]?(\d{2,})$/.exec(fold(id))
  return match ? new RegExp(`(?<![a-z0-9])${escape(match[1] ?? '')}[-\\s_]?\\d{2,}(?![a-z0-9])`, 'g') : undefined
}

/** A phrase as a pattern: its words with any spacing or hyphen between them, a plural allowed on the last. */
function phrasePattern(phrase: string): RegExp {
  const words = fold(phrase).split(/[\s-]+/).filter(Boolean).map(escape)
  return new RegExp(`(?<![a-z0-9])${words.join('[\\s-]+')}(?:e?s)?(?![a-z0-9])`, 'g')
}

// Negation: a negator shortly before a phrase, in the same clause, makes it no claim ("has not been sent").
const clauseBreak = /[.;:!?()\n,]|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bwhereas\b|\binstead\b/g
const farNegators = new Set(['not', 'never', 'nothing', 'none', 'neither', 'nor', 'cannot', 'without', 'unable', 'failed', 'nobody', 'nowhere', 'nor'])

/** Whether the phrase starting at `start` is negated within its clause (up to four words before it). */
export function isNegated(text: string, start: number): boolean {
  const before = text.slice(0, start)
  let clauseStart = 0
  for (const match of before.matchAll(clauseBreak)) {
    clauseStart = (match.index ?? 0) + match[0].length
  }
  const words = before.slice(clauseStart).split(/[^a-z']+/).filter(Boolean).slice(-4)
  return words.some((word, i) => farNegators.has(word) || word.endsWith('n\'t') || (word === 'no' && i === words.length - 1))
}

/** A value said not to be the one: "not $219.75", "rather than April 20", "instead of 14:00". */
export function isDirectlyDenied(text: string, start: number): boolean {
  return /(?:\bnot|n't|\brather than|\binstead of)\s*(?:at |on |by |the |[$€£¥]\s*)?$/.test(text.slice(Math.max(0, start - 24), start))
}

/** Words that make the rest of their sentence a condition, an offer or advice rather than a report of what happened. */
const hypothetical = /\b(?:if|unless|until|make sure|once you|once your|when you|after you|as soon as|once approved|after approval)\b|^\s*(?:just |please )?(?:say|confirm|approve|give|tell|send|reply|let me know)\b.*\b(?:and|then)\s/

/**
 * Words that make the verb they govern an intention, an offer, a need or advice: "I'll set it up", "I can set it up",
 * "want me to book it", "it needs to be rolled back", "I recommend that it be reverted". "May" is a month.
 */
const modal = /(?:\b(?:can|will|shall|should|would|could|might|needs? to|has to|have to|must|want me to|going to|plan to|ready to)\b|'ll\b|\b(?:recommend|suggest)(?:ing)?(?:\s+that)?\b)/g

/**
 * What may stand between a modal and the claim it governs: a few words, none that start a report of another thing
 * ("you'll be glad to know the text was sent", "you'll find it is booked", "I can now confirm it is booked", "it will
 * ship as the arm was cancelled").
 */
const governed = (between: string): boolean => between.trim().split(/\s+/).filter(Boolean).length <= 5
  && !/\b(?:that|since|as|because|know|hear|heard|see|find|say|tell|note|confirm|report|glad|pleased|happy|notified|told|now that)\b|[-—]/.test(between)

/**
 * Whether the phrase at `start` is asked ("should it be changed to 14:00?"; the question's own clause only, so "I've
 * booked it, should I add a reminder?" is still a claim), follows a condition in its sentence ("once your table is
 * booked"), or an intention, offer or need in its clause ("I'll set it up", "it needs to be rolled back").
 */
export function isHypothetical(text: string, start: number): boolean {
  const sentenceStart = Math.max(...[...text.slice(0, start).matchAll(/[.!?;](?=\s|$)|\n/g)].map(m => (m.index ?? 0) + m[0].length), 0)
  const end = /[.!?;](?=\s|$)|\n|$/.exec(text.slice(start))
  const rest = text.slice(start, start + (end?.index ?? 0))
  const before = text.slice(sentenceStart, start)
  const clause = before.slice(Math.max(...[...before.matchAll(/[,:]|\b(?:and|but|so|then)\b/g)].map(m => (m.index ?? 0) + m[0].length), 0))
  const modals = [...clause.matchAll(modal)]
  const last = modals.at(-1)
  const governedByModal = last !== undefined && governed(clause.slice((last.index ?? 0) + last[0].length))
  return (text[start + rest.length] === '?' && !/[,;]/.test(rest)) || hypothetical.test(before) || /\b(?:once|when|after)\s*$/.test(before) || governedByModal
}

// ---------------------------------------------------------------------------------------------------
// Facts

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Reads a path from a JSON value: `deploys.production.deploy_id`; `events.-1.id` (an array's last element);
 * `events[title=Vendor review].id` (the first element whose field equals the value, compared folded). Undefined when
 * the path is not there.
 */
export function readPath(value: Json | undefined, path: string): Json | undefined {
  let at: Json | undefined = value
  for (const part of path.match(/[^.[\]]+(?:\[[^\]]*\])?/g) ?? []) {
    const [, key = '', selector] = /^([^[]*)(?:\[([^\]]*)\])?$/.exec(part) ?? []
    if (key !== '') {
      if (Array.isArray(at)) {
        const index = Number(key)
        at = Number.isInteger(index) ? at.at(index) : undefined
      }
      else if (isRecord(at) && Object.hasOwn(at, key)) {
        at = (at as Record<string, Json>)[key]
      }
      else {
        return undefined
      }
    }
    if (selector !== undefined) {
      const [field = '', wanted = ''] = selector.split('=')
      at = Array.isArray(at) ? at.find(item => isRecord(item) && fold(String(item[field])) === fold(wanted)) : undefined
    }
    if (at === undefined) {
      return undefined
    }
  }
  return at
}

/** The kind a plain string fact has, from its shape. */
export function kindOf(text: string): FactKind {
  const value = text.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return 'date'
  }
  if (/^(?:[01]?\d|2[0-3]):[0-5]\d$/.test(value)) {
    return 'time'
  }
  if (/^-?\d+(?:\.\d+)?$/.test(value)) {
    return 'number'
  }
  if (/^v?\d+\.\d+\.\d+$/i.test(value)) {
    return 'version'
  }
  if (/^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value)) {
    return 'id'
  }
  return 'text'
}

/** Half a unit of the last decimal place written: 787.5 accepts 787.45 to 787.55; 18 accepts 17.5 to 18.5. */
function precisionOf(written: string): number {
  const decimals = /\.(\d+)$/.exec(written)?.[1]?.length ?? 0
  return 0.5 * 10 ** -decimals + 1e-9
}

function resolveValue(value: unknown, env: ToolEnv): Json | undefined {
  return isRecord(value) && typeof value.$state === 'string' ? readPath(env, value.$state) : value as Json
}

/** Which key of a typed fact holds its value. */
function kindKey(fact: Exclude<Fact, string | { anyOf: Fact[] }>): FactKind {
  return (['number', 'date', 'time', 'id', 'version'] as const).find(kind => kind in fact) ?? 'text'
}

const aboutOf = (fact: FactOptions): string[] | undefined => fact.about === undefined ? undefined : (Array.isArray(fact.about) ? fact.about : [fact.about])

/**
 * A fact with its value resolved (from the end state when it says `$state`), or an error message when the state does
 * not hold what the fact points at. `anyOf` facts resolve to each alternative.
 */
function resolveFact(fact: Fact, env: ToolEnv): ResolvedFact[] | string {
  if (typeof fact === 'string') {
    return [resolveTyped(kindOf(fact), fact, {}, undefined, undefined)]
  }
  if ('anyOf' in fact) {
    const resolved = fact.anyOf.map(alternative => resolveFact(alternative, env))
    const failed = resolved.find(r => typeof r === 'string')
    return typeof failed === 'string' ? failed : resolved.flat() as ResolvedFact[]
  }
  const kind = kindKey(fact)
  const raw = (fact as unknown as Record<string, unknown>)[kind]
  const value = resolveValue(raw, env)
  if (value === undefined || value === null || (typeof value !== 'string' && typeof value !== 'number')) {
    return `the end state has no ${kind} at ${JSON.stringify(raw)}`
  }
  const tolerance = 'tolerance' in fact ? fact.tolerance : undefined
  const synonyms = 'synonyms' in fact ? fact.synonyms : undefined
  const typed = resolveTyped(kind, String(value), fact, tolerance, synonyms)
  return ['unit' in fact && fact.unit !== undefined ? { ...typed, unit: fact.unit, shown: `${typed.shown} ${fact.unit}` } : typed]
}

function resolveTyped(kind: FactKind, written: string, options: FactOptions, tolerance: number | undefined, synonyms: string[] | undefined): ResolvedFact {
  const about = aboutOf(options)
  const base = { shown: written, tolerance: 0, phrases: [] as string[], derived: options.derived === true, ...(about ? { about } : {}) }
  switch (kind) {
    case 'number':
      return { ...base, kind, value: Number(written), tolerance: tolerance ?? precisionOf(written) }
    case 'time': {
      const [hours, minutes] = written.split(':').map(Number)
      return { ...base, kind, value: (hours ?? 0) * 60 + (minutes ?? 0) }
    }
    case 'date':
      return { ...base, kind, value: written.trim() }
    case 'id':
      return { ...base, kind, value: written.trim() }
    case 'version':
      return { ...base, kind, value: written.trim().replace(/^v/i, '') }
    default:
      return { ...base, kind: 'text', value: written, phrases: [...new Set([...synonymsOf(written), ...(synonyms ?? []).flatMap(synonymsOf)])] }
  }
}

/** Where the text states a resolved fact: spans of its un-negated mentions, in the folded text. */
export function mentions(folded: string, fact: ResolvedFact, options: { negation?: boolean, units?: boolean } = {}): Span[] {
  const negation = options.negation ?? true
  const unit = options.units ?? true ? fact.unit : undefined
  switch (fact.kind) {
    case 'number':
      return readNumbers(folded).filter(n => Math.abs((n.signed || (fact.value as number) >= 0 ? n.value : -Math.abs(n.value)) - (fact.value as number)) <= fact.tolerance
        && !(negation && isDirectlyDenied(folded, n.start)) && inUnit(folded, n, unit))
    case 'date': {
      const [year, month, day] = String(fact.value).split('-').map(Number)
      return readDates(folded).filter(d => d.month === month && d.day === day && (d.year === undefined || d.year === year) && !(negation && isDirectlyDenied(folded, d.start)))
    }
    case 'time':
      return readTimes(folded).filter(t => t.minutes === fact.value && !(negation && isDirectlyDenied(folded, t.start)))
    case 'id':
      return [...folded.matchAll(idPattern(String(fact.value)))].map(m => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }))
    case 'version':
      return [...folded.matchAll(new RegExp(`(?<![\\d.])v?${escape(String(fact.value))}(?!\\.?\\d)`, 'g'))].map(m => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }))
    default:
      return fact.phrases.flatMap(phrase => [...folded.matchAll(phrasePattern(phrase))]
        .map(m => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }))
        .filter(span => !negation || !isNegated(folded, span.start)))
  }
}

/** Closing offers that end many replies without asking for anything ("Anything else?"). */
const closingOffer = /\b(?:anything|something) else\b|\bother questions?\b|\bcan i help (?:you )?(?:with )?(?:anything|something)\b|\b(?:want|like) me to\b/
const request = /\b(?:please|kindly) (?:provide|share|send|give|tell|confirm|let me know)\b|\b(?:could|can|would) you (?:\w+ )?(?:provide|share|send|give|tell|confirm|let me know)\b|\blet me know\b|\bi(?:'d|'ll| will| would)? need\b|^(?:just )?(?:send|tell|give) me\b|\bif you (?:share|send|give|tell)\b/

/**
 * Whether a reply asks the user for something: a question (other than a closing offer such as "anything else?") or a
 * request for a detail ("please share...", "let me know...", "I need the number"). A refusal or a claim of having
 * done it asks nothing.
 */
export function asksSomething(text: string): boolean {
  const folded = fold(text)
  const sentences = folded.split(/(?<=[.!?])\s+|\n+/)
  return sentences.some(sentence => (sentence.includes('?') && !closingOffer.test(sentence)) || request.test(sentence))
}

// Attribution: which entity a value in the answer belongs to.

interface Placed extends Span {
  entity?: number
  value?: string
}

const segmentBreak = /[.!?](?=\s|$)|\n|;/g

function segments(folded: string): Span[] {
  const out: Span[] = []
  let start = 0
  for (const match of folded.matchAll(segmentBreak)) {
    out.push({ start, end: match.index ?? 0 })
    start = (match.index ?? 0) + match[0].length
  }
  out.push({ start, end: folded.length })
  return out
}

/** Longest-first entity mentions, not overlapping. */
function entityMentions(folded: string, entities: string[][]): Placed[] {
  const candidates = entities.flatMap((aliases, entity) => aliases.flatMap(alias => [...folded.matchAll(phrasePattern(alias))]
    .map(m => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, entity }))))
    .sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start)
  const kept: Placed[] = []
  for (const candidate of candidates) {
    if (!kept.some(k => overlaps(candidate, k))) {
      kept.push(candidate)
    }
  }
  return kept.sort((a, b) => a.start - b.start)
}

/** Between a value and the name it is said of, when the name comes after: "27°C in Sydney", "LR-7713 for Cedar". */
const valueToName = /^\s*(?:°\s*[a-z]|%|[a-z]{1,3}(?:\/[a-z]{1,2})?)?\s*,?\s*(?:in|for|at|of|belongs to|is for)\s+(?:the\s+)?$/

/** "The other one", "the other order": a reference to the entity not just talked about. */
const theOther = /\bthe other(?: one| order| parcel| package| item| shipment| booking| flight| invoice| account| archive| city)?\b(?!\s+(?:of|than)\b)/g

/**
 * The entity each value mention belongs to: within a sentence (or line), values and entity names pair in order when
 * they are as many ("Birch: MT-2290, Cedar: LR-7713"; "Birch, Cedar ... MT-2290 and LR-7713 respectively"); otherwise
 * a value goes to the name it is said of ("9°C in Berlin and 27°C in Sydney"), or else to the last name before it
 * ("the Vendor call on Monday at 9:30-10:00 and the Design sync at 10:15"), or else to the first after it. A sentence
 * that names none goes on about the subject (first name) of the last sentence that named one ("Your charger ships
 * apart from the headphones. It should reach you on April 28."), or, before any, the first name after it. A value after
 * "the other one" (with two entities in play) is the other entity's: "ORD-5531 arrived; the other one is in Memphis".
 */
function attribute(folded: string, values: Placed[], entities: string[][]): Map<Placed, number | undefined> {
  const owners = new Map<Placed, number | undefined>()
  const names = entityMentions(folded, entities)
  const others = [...folded.matchAll(theOther)].map(m => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }))
  // The owner of a value said after "the other one": of two entities, the one that is not `current`.
  const owner = (value: Span, current: number | undefined, since: number): number | undefined =>
    others.some(other => other.start >= since && other.end <= value.start) && entities.length === 2 && current !== undefined ? 1 - current : current
  let topic: number | undefined
  for (const segment of segments(folded)) {
    const inside = (span: Span): boolean => span.start >= segment.start && span.end <= segment.end
    const here = values.filter(inside).sort((a, b) => a.start - b.start)
    const named = names.filter(inside)
    const before = topic ?? names.find(name => name.start >= segment.end)?.entity
    topic = named[0]?.entity ?? topic
    if (here.length === 0) {
      continue
    }
    if (named.length === 0) {
      here.forEach(value => owners.set(value, owner(value, before, segment.start)))
      continue
    }
    if (named.length === here.length && !others.some(inside)) {
      here.forEach((value, i) => owners.set(value, named[i]?.entity))
      continue
    }
    for (const value of here) {
      const linked = named.find(name => name.start >= value.end && valueToName.test(folded.slice(value.end, name.start)))
      const preceding = named.filter(name => name.end <= value.start).at(-1)
      const following = named.find(name => name.start >= value.end)
      owners.set(value, linked ? linked.entity : preceding ? owner(value, preceding.entity, preceding.end) : following?.entity)
    }
  }
  return owners
}

// ---------------------------------------------------------------------------------------------------
// Judging an answer

export interface AnswerContext {
  /** The run's end state, for `$state` facts and claims. */
  env: ToolEnv
  /** What the run saw (prompt and tool results), for grounding and for ids the answer may name. */
  seen: string
  /** Whether a state pattern holds in the end state (checks.ts reachesState), for claims. */
  holds: (pattern: Json) => boolean
}

export interface AnswerVerdict {
  /** Share of the facts stated right; 0 when the answer states a wrong fact, a false claim or an unseen id. */
  score: number
  message: string
  /** Facts stated, and those missing (with why). */
  stated: string[]
  missing: string[]
}

const asSpec = (spec: AnswerSpec): { facts: Fact[], wrong: Fact[], claims: Claim[], entities: string[][] } =>
  Array.isArray(spec) ? { facts: spec, wrong: [], claims: [], entities: [] } : { facts: spec.facts, wrong: spec.wrong ?? [], claims: spec.claims ?? [], entities: spec.entities ?? [] }

/** Every fact a spec names, resolved (for a reference model that rewrites answers, and for the suite's data tests). */
export function specFacts(spec: AnswerSpec, env: ToolEnv): ResolvedFact[] {
  return asSpec(spec).facts.flatMap((fact) => {
    const resolved = resolveFact(fact, env)
    return typeof resolved === 'string' ? [] : resolved
  })
}

/**
 * Judges a final answer against what it must say. A fact counts when the answer states it (by meaning, not spelling),
 * paired with its entity when it has one, and some tool result or the prompt holds it (unless it is derived). The
 * answer loses everything when it states a wrong fact, claims an action the end state contradicts, or names an id of
 * a kind the run deals in (an expected id's, or one a tool result showed) that the run never saw: a made-up id, or
 * another record's.
 */
export function judgeAnswer(answer: string | null, spec: AnswerSpec, context: AnswerContext): AnswerVerdict {
  const { facts, wrong, claims, entities: others } = asSpec(spec)
  if (answer === null) {
    return { score: 0, message: 'no final answer', stated: [], missing: facts.map(describeFact) }
  }
  const folded = fold(answer)
  const seen = fold(context.seen)
  const resolved = facts.map(fact => ({ fact, resolved: resolveFact(fact, context.env) }))
  const entities = [...new Set([...resolved.flatMap(r => (typeof r.resolved === 'string' ? [] : r.resolved.flatMap(f => (f.about ? [JSON.stringify(f.about)] : [])))), ...others.map(names => JSON.stringify(names))])].map(text => JSON.parse(text) as string[])
  // Where the answer gives an expected value: another value beside it as its alternative is not a hedge.
  const expectedValues = resolved.flatMap(r => (typeof r.resolved === 'string' ? [] : r.resolved.flatMap(f => mentions(folded, f))))
  const stated: string[] = []
  const missing: string[] = []
  for (const { fact, resolved: alternatives } of resolved) {
    if (typeof alternatives === 'string') {
      missing.push(`${describeFact(fact)} (${alternatives})`)
      continue
    }
    const problems = alternatives.map(alternative => factProblem(folded, alternative, entities, seen, expectedValues))
    if (problems.some(problem => problem === undefined)) {
      stated.push(describeFact(fact))
    }
    else {
      missing.push(`${describeFact(fact)} (${problems[0] ?? 'not stated'})`)
    }
  }
  const faults: string[] = []
  for (const fact of wrong) {
    const alternatives = resolveFact(fact, context.env)
    if (typeof alternatives !== 'string' && alternatives.some(alternative => factProblem(folded, alternative, entities, undefined) === undefined)) {
      faults.push(`states ${describeFact(fact)}, which is wrong here`)
    }
  }
  for (const claim of claims) {
    const said = claim.says.find(phrase => mentions(folded, resolveTyped('text', phrase, {}, undefined, undefined)).some(span => !isHypothetical(folded, span.start)))
    if (said !== undefined && !context.holds(claim.holds)) {
      faults.push(`claims ${claim.label ?? JSON.stringify(said)} ("${said}"), which the end state contradicts`)
    }
  }
  // Ids of a kind the run deals in (an expected id's, or one a tool showed) must be ones the run saw.
  const ids = resolved.flatMap(r => (typeof r.resolved === 'string' ? [] : r.resolved.filter(f => f.kind === 'id'))).map(f => String(f.value))
  const families = new Set([...ids, ...readIds(seen).map(span => seen.slice(span.start, span.end))].flatMap(id => familyPattern(id)?.source ?? []))
  const unseen = new Set<string>()
  for (const source of families) {
    for (const match of folded.matchAll(new RegExp(source, 'g'))) {
      const id = match[0]
      if (!ids.some(expected => new RegExp(idPattern(expected).source).test(id)) && !new RegExp(idPattern(id).source).test(seen)) {
        unseen.add(id.toUpperCase())
      }
    }
  }
  for (const id of unseen) {
    faults.push(`names ${id}, which nothing in this run showed (a made-up id, or another record's)`)
  }
  const share = facts.length === 0 ? 1 : stated.length / facts.length
  const score = faults.length > 0 ? 0 : share
  const parts = [
    ...(faults.length > 0 ? [`the answer ${faults.join('; ')}`] : []),
    ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
    ...(stated.length > 0 && faults.length === 0 ? [`states ${stated.join(', ')}`] : []),
  ]
  return { score, message: `${parts.join('; ') || 'nothing asked'}: ${JSON.stringify(answer.slice(0, 160))}`, stated, missing }
}

/** Between a value and another of its kind: the two offered as alternatives ("15:30 or 16:30", "12°C, or 15°C"). */
const alternativeGap = /^(?:\s*[°%]?\s*[a-z/]{0,5}\.?)?\s*,?\s*(?:or|and\/or)\s+(?:maybe |perhaps |possibly |even |else )?(?:[$€£]\s*)?$/

/** The unit written right after a value ("°c", "km/h", "usd"), if any. */
function unitAfter(folded: string, end: number): string | undefined {
  const written = /^\s*(°\s*[a-z]|%|[a-z]{1,4}(?:\/[a-z]{1,2})?)(?![a-z])/.exec(folded.slice(end))?.[1]?.replace(/\s/g, '')
  return written !== undefined && (/^[°%]|\//.test(written) || units.has(written) || currencyCodes.has(written) || zones.has(written)) ? written : undefined
}
/** The currency written right before a value ("$", "€ "), if any. */
const unitBefore = (folded: string, start: number): string | undefined => /([$€£¥])\s*$/.exec(folded.slice(Math.max(0, start - 3), start))?.[1]
const zones = new Set(['utc', 'gmt', 'cet', 'cest', 'eet', 'eest', 'wet', 'west', 'bst', 'ist', 'jst', 'kst', 'aest', 'aedt', 'est', 'edt', 'cst', 'cdt', 'mst', 'mdt', 'pst', 'pdt'])

/**
 * A mention offered as one of several values ("either 15:30 or 16:30"), where `others` are the text's other values of
 * its kind. The same quantity in another unit ("18°C, or 64°F", "5,456.94 CHF, or $6,190.12", "14:30 CEST, or 12:30
 * UTC") is a conversion, not an alternative.
 */
function hedged(folded: string, span: Span, others: Span[]): boolean {
  const unitOf = (value: Span): string | undefined => {
    const after = unitAfter(folded, value.end)
    return after === undefined || ['am', 'pm'].includes(after) ? unitBefore(folded, value.start) ?? after : after
  }
  const conversion = (other: Span): boolean => {
    const [mine, theirs] = [unitOf(span), unitOf(other)]
    return mine !== undefined && theirs !== undefined && mine !== theirs
  }
  return others.some(other => !conversion(other) && ((other.start >= span.end && alternativeGap.test(folded.slice(span.end, other.start)))
    || (other.end <= span.start && alternativeGap.test(folded.slice(other.end, span.start)))))
}

/**
 * Why a resolved fact does not count, or undefined when it does. `seen` undefined skips grounding. With `expected`
 * (where the answer gives any expected value), a value offered only beside another value of its kind as an
 * alternative ("it's either 15:30 or 16:30") does not count: a hedge is not an answer. Two expected values side by side
 * ("free at 9:30 or 10:15") are not a hedge.
 */
function factProblem(folded: string, fact: ResolvedFact, entities: string[][], seen: string | undefined, expected?: Span[]): string | undefined {
  let found = mentions(folded, fact)
  if (found.length === 0) {
    const elsewhere = fact.unit === undefined ? [] : mentions(folded, fact, { units: false }).flatMap(span => writtenUnits(folded, span)?.[0] ?? [])
    return elsewhere.length > 0 ? `given only in ${[...new Set(elsewhere)].join(', ')}, not ${fact.unit}` : 'not stated'
  }
  if (expected !== undefined) {
    const others = valuesOfKind(folded, fact.kind).filter(other => !expected.some(span => overlaps(other, span)))
    const firm = found.filter(span => !hedged(folded, span, others))
    if (firm.length === 0) {
      return 'given only as one of several possibilities'
    }
    found = firm
  }
  if (fact.about) {
    const entity = entities.findIndex(aliases => JSON.stringify(aliases) === JSON.stringify(fact.about))
    const owners = attribute(folded, entities.length > 1 ? allValueMentions(folded, found, fact) : found, entities)
    if (!found.some(span => owners.get(span) === entity)) {
      return `not given as the ${fact.about[0]}'s`
    }
  }
  // Tool results write units their own way ("temperature_c": 18), so grounding looks for the value alone.
  if (seen !== undefined && !fact.derived && mentions(seen, fact, { negation: false, units: false }).length === 0) {
    return 'stated, but nothing in this run showed it'
  }
  return undefined
}

/** The value mentions in the text that attribution pairs with entity names: this fact's, and every other id-, number-, date- or time-shaped one. */
function allValueMentions(folded: string, found: Span[], fact: ResolvedFact): Placed[] {
  const others = valuesOfKind(folded, fact.kind)
  const all = [...found, ...others.filter(o => !found.some(f => overlaps(o, f)))]
  return all.sort((a, b) => a.start - b.start).filter((span, i, list) => i === 0 || span.start !== list[i - 1]?.start)
}

/** Every id-, date-, time- or number-shaped value in the text, for a fact of that kind (none for text and versions). */
function valuesOfKind(folded: string, kind: FactKind): Span[] {
  switch (kind) {
    case 'id':
      return readIds(folded)
    case 'date':
      return readDates(folded)
    case 'time':
      return readTimes(folded)
    case 'number':
      return readNumbers(folded)
    default:
      return []
  }
}

/** A fact as task data wrote it, for messages. */
function describeFact(fact: Fact): string {
  if (typeof fact === 'string') {
    return JSON.stringify(fact)
  }
  if ('anyOf' in fact) {
    return fact.anyOf.map(describeFact).join(' or ')
  }
  const kind = kindKey(fact)
  const raw = (fact as unknown as Record<string, unknown>)[kind]
  const unit = 'unit' in fact && fact.unit !== undefined ? ` ${fact.unit}` : ''
  const value = `${isRecord(raw) ? `the ${kind} at ${String(raw.$state)}` : JSON.stringify(raw)}${unit}`
  const about = aboutOf(fact as FactOptions)
  return about ? `${value} for ${about[0]}` : value
}

/** Whether the folded text states the fact at all (no grounding, no attribution): what reference models and data tests use. */
export function states(text: string, fact: Fact, env: ToolEnv = {}): boolean {
  const resolved = resolveFact(fact, env)
  return typeof resolved !== 'string' && resolved.some(r => mentions(fold(text), r).length > 0)
}

// ---------------------------------------------------------------------------------------------------
// The shape of facts and answer specs in task data (JSON Schema), for the suites' `expect` schemas.

const stateRefSchema = { type: 'object', required: ['$state'], additionalProperties: false, properties: { $state: { type: 'string', minLength: 1 } } }
const optionsSchema = { about: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] }, derived: { type: 'boolean' } }

const plainFacts = [
  { type: 'string', minLength: 1 },
  { type: 'object', required: ['number'], additionalProperties: false, properties: { number: { anyOf: [{ type: 'number' }, stateRefSchema] }, tolerance: { type: 'number', minimum: 0 }, unit: { enum: [...factUnits] }, ...optionsSchema } },
  ...['date', 'time', 'id', 'version'].map(kind => ({ type: 'object', required: [kind], additionalProperties: false, properties: { [kind]: { anyOf: [{ type: 'string', minLength: 1 }, stateRefSchema] }, ...optionsSchema } })),
  { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1 }, synonyms: { type: 'array', items: { type: 'string' } }, ...optionsSchema } },
]

/** A Fact in task data (JSON Schema); `anyOf` alternatives are plain facts. */
export const factSchema = {
  anyOf: [...plainFacts, { type: 'object', required: ['anyOf'], additionalProperties: false, properties: { anyOf: { type: 'array', minItems: 1, items: { anyOf: plainFacts } } } }],
}

/** An `expect.answer` (AnswerSpec): facts, or `{ facts, wrong, claims, entities }`. */
export const answerSpecSchema = {
  anyOf: [
    { type: 'array', items: factSchema },
    {
      type: 'object',
      required: ['facts'],
      additionalProperties: false,
      properties: {
        facts: { type: 'array', items: factSchema },
        wrong: { type: 'array', items: factSchema },
        claims: { type: 'array', items: { type: 'object', required: ['says', 'holds'], additionalProperties: false, properties: { says: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }, holds: {}, label: { type: 'string' } } } },
        entities: { type: 'array', items: { type: 'array', minItems: 1, items: { type: 'string' } } },
      },
    },
  ],
}
