// Needle-in-a-haystack documents for the long-context category: a pure function from a spec (seed, size in tokens,
// needles) to text. Seeded (mulberry32), never Math.random, so a worker and the reference server build the same text.
// The filler holds no digits, so a needle's value (e.g. "QX-4471") can only be found where the needle was put.

/** Characters per token, the same rough measure `estimateTokens` (src/runtime/bench.ts) uses to skip tasks too big for a model. */
export const charsPerToken = 4

export interface Needle {
  /** The sentence hidden in the haystack, e.g. "The access code for the Alder vault is QX-4471." */
  text: string
  /** Where it goes, from 0 (the start) to 1 (the end), as a share of the documents. */
  depth: number
}

interface HaystackSpec {
  seed: number
  /** Size of the whole text in tokens (`charsPerToken` characters each), needles included. */
  tokens: number
  needles: Needle[]
}

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Vocabulary for plausible, unremarkable office prose. No digits and no "code" or "vault", so nothing reads like a needle.
const teams = ['platform', 'logistics', 'finance', 'design', 'support', 'research', 'procurement', 'facilities', 'security', 'data', 'mobile', 'partnerships']
const people = ['Amara', 'Bastian', 'Chioma', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hiroshi', 'Ines', 'Jonas', 'Keiko', 'Lucia', 'Mateo', 'Nadia', 'Oskar', 'Priya']
const nouns = ['roadmap', 'budget', 'migration', 'onboarding guide', 'supplier contract', 'dashboard', 'release plan', 'warehouse layout', 'hiring plan', 'survey', 'incident review', 'style guide', 'pricing model', 'training course', 'office move', 'backlog']
const adjectives = ['revised', 'quarterly', 'regional', 'shared', 'draft', 'annual', 'internal', 'updated', 'preliminary', 'long-term', 'cross-team', 'simplified']
const verbs = ['reviewed', 'approved', 'postponed', 'summarised', 'circulated', 'questioned', 'reworked', 'presented', 'archived', 'extended', 'finalised', 'discussed']
const adverbs = ['carefully', 'briefly', 'again', 'informally', 'in detail', 'without objections', 'at length', 'once more']
const times = ['on Monday', 'last week', 'before the holidays', 'during the offsite', 'after lunch', 'at the end of the month', 'this morning', 'in the spring']
const places = ['the north office', 'the harbour site', 'the main warehouse', 'the training room', 'the east campus', 'the shared workspace']
const outcomes = ['the open questions were assigned to owners', 'nobody raised a concern', 'a follow-up meeting was scheduled', 'the numbers were rounded for clarity', 'the timeline moved by a few days', 'the feedback was mostly positive', 'two risks were added to the register', 'the wording was tightened']

const templates: ((pick: <T>(items: readonly T[]) => T) => string)[] = [
  pick => `The ${pick(teams)} team ${pick(verbs)} the ${pick(adjectives)} ${pick(nouns)} ${pick(times)}.`,
  pick => `${pick(people)} ${pick(verbs)} the ${pick(nouns)} ${pick(adverbs)}, and ${pick(outcomes)}.`,
  pick => `According to ${pick(people)}, the ${pick(adjectives)} ${pick(nouns)} for ${pick(places)} still needs a decision from the ${pick(teams)} group.`,
  pick => `During the review at ${pick(places)}, ${pick(outcomes)}.`,
  pick => `${pick(people)} and ${pick(people)} agreed that the ${pick(nouns)} should be ${pick(verbs)} ${pick(times)}.`,
  pick => `A note from the ${pick(teams)} team says the ${pick(nouns)} was ${pick(verbs)} ${pick(adverbs)}.`,
  pick => `Nothing in the ${pick(adjectives)} ${pick(nouns)} changes the plan for ${pick(places)}.`,
]

/**
 * The haystack: generated documents (a title and paragraphs of filler each) with every needle placed at its depth, on
 * a paragraph boundary. Its length is within one paragraph of `tokens x charsPerToken` characters.
 */
export function generateHaystack(spec: HaystackSpec): string {
  const random = mulberry32(spec.seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const target = spec.tokens * charsPerToken - spec.needles.reduce((n, needle) => n + needle.text.length + 2, 0)
  const blocks: string[] = []
  let length = 0
  let documentNumber = 0
  while (length < target) {
    // A new document every few paragraphs, with a title, so the text reads as a pile of memos rather than one stream.
    if (documentNumber === 0 || random() < 0.2) {
      documentNumber++
      const title = `Memo from the ${pick(teams)} team: the ${pick(adjectives)} ${pick(nouns)}`
      blocks.push(title)
      length += title.length + 2
    }
    const sentences = 3 + Math.floor(random() * 4)
    const paragraph = Array.from({ length: sentences }, () => pick(templates)(pick)).join(' ')
    blocks.push(paragraph)
    length += paragraph.length + 2
  }
  const placed = [...spec.needles].sort((a, b) => b.depth - a.depth)
  for (const needle of placed) {
    const at = Math.max(0, Math.min(blocks.length, Math.round(needle.depth * blocks.length)))
    blocks.splice(at, 0, needle.text)
  }
  return blocks.join('\n\n')
}
