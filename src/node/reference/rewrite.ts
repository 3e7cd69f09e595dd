// Rewrites of a reference answer, for the reference models that prove the rubrics: `paraphrase` says the same facts in
// other valid forms (so a right answer in other words must keep full marks), `confabulate` says wrong facts and false
// claims in the same shape (so it must lose them). Pure and deterministic. Reference answers are ASCII, so positions
// found in the lower-cased text are positions in the original.

import type { Json } from '../../core/types.ts'
import type { Span } from '../../core/answers.ts'
import { readDates, readIds, readNumbers, readTimes } from '../../core/answers.ts'

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

interface Edit extends Span {
  text: string
}

/** Applies non-overlapping edits (the first of overlapping ones wins), from the end so positions stay valid. */
function apply(text: string, edits: Edit[]): string {
  const kept: Edit[] = []
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    if (!kept.some(k => edit.start < k.end && k.start < edit.end)) {
      kept.push(edit)
    }
  }
  return kept.sort((a, b) => b.start - a.start).reduce((out, edit) => out.slice(0, edit.start) + edit.text + out.slice(edit.end), text)
}

const twelveHour = (minutes: number): string => {
  const hours = Math.floor(minutes / 60)
  return `${hours % 12 === 0 ? 12 : hours % 12}:${String(minutes % 60).padStart(2, '0')} ${hours < 12 ? 'AM' : 'PM'}`
}

const grouped = (value: number, decimals: number): string => value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
const decimalsOf = (raw: string): number => /\.(\d+)$/.exec(raw)?.[1]?.length ?? 0

/** Outcome words and the synonym a paraphrase uses for them; each pair is one of the thesaurus's sets (answers.ts). */
export const synonyms: readonly (readonly [string, string])[] = [
  ['sold out', 'fully booked'],
  ['cloudy', 'overcast'],
  ['delayed', 'running late'],
  ['in transit', 'on its way'],
  ['healthy', 'passing its health checks'],
  ['unavailable', 'out of service'],
]

/** Units written after a number, and the words a paraphrase spells them with (answers.ts reads both). */
const unitWords: Record<string, string> = { '°c': ' degrees Celsius', '°f': ' degrees Fahrenheit', 'eur': ' euros', 'usd': ' US dollars', 'chf': ' Swiss francs' }
const unitAfterNumber = /\d(\s*°\s*[cf]|\s+(?:eur|usd|chf))(?![a-z])/g

/**
 * The same answer in other valid forms: ISO dates spelled out ("September 14, 2026", "14 Sep 2026"), 24-hour times as
 * 12-hour ("2:25 PM"), thousands grouped ("1,240"), ids with a non-breaking hyphen, units in words ("18 degrees Celsius",
 * "23.40 euros"), outcome words by their synonyms ("fully booked" for "sold out"), straight quotes curly.
 */
export function paraphrase(text: string): string {
  const lower = text.toLowerCase()
  const edits: Edit[] = []
  readDates(lower).filter(d => /^\d{4}-\d{2}-\d{2}$/.test(text.slice(d.start, d.end)) && d.year !== undefined).forEach((d, i) => {
    const month = monthNames[d.month - 1] ?? ''
    edits.push({ ...d, text: i % 2 === 0 ? `${month} ${d.day}, ${d.year}` : `${d.day} ${month.slice(0, 3)} ${d.year}` })
  })
  for (const t of readTimes(lower)) {
    edits.push({ ...t, text: twelveHour(t.minutes) })
  }
  for (const id of readIds(lower)) {
    edits.push({ ...id, text: text.slice(id.start, id.end).replace(/-/g, '\u2011') })
  }
  for (const n of readNumbers(lower)) {
    const raw = text.slice(n.start, n.end)
    const year = /^(?:19|20)\d\d$/.test(raw)
    if (Math.abs(n.value) >= 1000 && !raw.includes(',') && !year) {
      edits.push({ ...n, text: `${n.signed && n.value < 0 ? '-' : ''}${grouped(Math.abs(n.value), decimalsOf(raw))}` })
    }
  }
  for (const match of lower.matchAll(unitAfterNumber)) {
    const written = match[1] ?? ''
    const start = (match.index ?? 0) + match[0].length - written.length
    edits.push({ start, end: start + written.length, text: unitWords[written.replace(/\s/g, '')] ?? written })
  }
  for (const [word, synonym] of synonyms) {
    for (const match of lower.matchAll(new RegExp(`(?<![a-z])${word}(?![a-z])`, 'g'))) {
      edits.push({ start: match.index ?? 0, end: (match.index ?? 0) + word.length, text: synonym })
    }
  }
  return apply(text, edits).replace(/"([^"]*)"/g, '\u201C$1\u201D').replace(/(\w)'(\w)/g, '$1\u2019$2')
}

/** Another value of the same shape: a number 13% larger (and at least one unit of its last digit). */
function wrongNumber(raw: string, value: number): string {
  const decimals = decimalsOf(raw)
  const unit = 10 ** -decimals
  const shifted = Math.max(Math.abs(value) * 1.13, Math.abs(value) + unit) * Math.sign(value || 1)
  return raw.includes(',') ? grouped(shifted, decimals) : shifted.toFixed(decimals)
}

/** Another id of the same shape: its last digit moved on by three (ORD-5531 -> ORD-5534). */
function wrongId(id: string): string {
  return id.replace(/(\d)(?!.*\d)/, digit => String((Number(digit) + 3) % 10))
}

// Outcome words turned into their opposites: the false claims a confabulating model makes. Applied in one pass, so a
// word flipped once is not flipped back.
const flips: [string, string][] = [
  ['has not been', 'has been'],
  ['have not been', 'have been'],
  ['was not', 'was'],
  ['is not', 'is'],
  ['could not', 'could'],
  ['did not', 'did'],
  ['not', ''],
  ['n\'t', ''],
  ['nothing was', 'everything was'],
  ['no', 'all'],
  ['sold out', 'confirmed'],
  ['delayed', 'on time'],
  ['cloudy', 'sunny'],
  ['sunny', 'cloudy'],
  ['rain', 'sunshine'],
  ['in transit', 'delivered'],
  ['unpaid', 'paid'],
  ['failed', 'passed'],
  ['unhealthy', 'healthy'],
  ['draft', 'sent email'],
  ['saved', 'sent'],
]
const flipPattern = new RegExp(`(?<![a-z])(${flips.map(([word]) => word.replace(/'/g, '\'')).join('|')})(?![a-z])`, 'gi')
const flipOf = new Map(flips.map(([word, replacement]) => [word, replacement]))

/**
 * A wrong answer of the same shape: every number, date, time and id changed to another of its kind, and outcome
 * words flipped (a draft "sent", "sold out" confirmed, "not booked" booked).
 */
export function confabulate(text: string): string {
  const lower = text.toLowerCase()
  const edits: Edit[] = []
  for (const d of readDates(lower)) {
    const day = ((d.day + 2) % 28) + 1
    const raw = text.slice(d.start, d.end)
    edits.push({ ...d, text: /^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw.slice(0, 8)}${String(day).padStart(2, '0')}` : raw.replace(/\b\d{1,2}\b(?!\d)/, String(day)) })
  }
  for (const t of readTimes(lower)) {
    const minutes = (t.minutes + 70) % 1440
    edits.push({ ...t, text: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}` })
  }
  for (const id of readIds(lower)) {
    edits.push({ ...id, text: wrongId(text.slice(id.start, id.end)) })
  }
  for (const n of readNumbers(lower)) {
    edits.push({ ...n, text: wrongNumber(text.slice(n.start, n.end).replace(/^[-+]/, ''), n.value) })
  }
  return apply(text, edits).replace(flipPattern, word => flipOf.get(word.toLowerCase()) ?? word).replace(/ {2,}/g, ' ')
}

/** A JSON answer made wrong in the same shape: numbers off, strings' dates, times and ids changed, booleans flipped. */
export function confabulateJson(value: Json): Json {
  if (typeof value === 'number') {
    return Number(wrongNumber(String(value), value))
  }
  if (typeof value === 'boolean') {
    return !value
  }
  if (typeof value === 'string') {
    return confabulate(value)
  }
  if (Array.isArray(value)) {
    return value.map(confabulateJson)
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, confabulateJson(inner)]))
  }
  return value
}

/** The same JSON, written otherwise: keys in reverse order, indented. */
export function paraphraseJson(value: Json): string {
  const reorder = (inner: Json): Json => {
    if (Array.isArray(inner)) {
      return inner.map(reorder)
    }
    if (inner !== null && typeof inner === 'object') {
      return Object.fromEntries(Object.entries(inner).reverse().map(([key, v]) => [key, reorder(v)]))
    }
    return inner
  }
  return JSON.stringify(reorder(value), null, 2)
}
