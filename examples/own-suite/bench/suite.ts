// The library suite: one tool of our own (a catalogue lookup over the state below) and two tasks. Its spec file,
// lookup.spec.ts, is the category's rubric.

import type { Json } from 'milo-bench'
import { asRecord, defineSuite, fail, ok, params, state, string } from 'milo-bench'

const books = [
  { id: 'B-101', title: 'Dune', author: 'Frank Herbert', year: 1965, copies_available: 2 },
  { id: 'B-102', title: 'Neuromancer', author: 'William Gibson', year: 1984, copies_available: 0 },
]

export const library = defineSuite({
  id: 'library',
  title: 'Library lookups',
  version: '1.0.0',
  root: new URL('.', import.meta.url),
  aggregate: 'macro-mean',
  tools: [
    {
      name: 'find_book',
      description: 'Look a book up in the library catalogue by its title; returns its id, author, year and the copies on the shelf.',
      parameters: params({ title: string('The book\'s title, e.g. "Dune"') }),
      readOnly: true,
      run(args, env) {
        const found = (state(env, 'catalogue').books as Json[]).map(asRecord).find(book => String(book.title).toLowerCase() === String(args.title).toLowerCase())
        return found ? ok(found) : fail('not_found', `no book titled '${String(args.title)}' in the catalogue`)
      },
    },
  ],
  state: { catalogue: { books } },
  categories: [{
    id: 'lookup',
    title: 'Catalogue lookup',
    rubric: 'lookup.spec.ts',
    tasks: [
      {
        id: 'who-wrote-dune',
        prompt: 'Who wrote Dune, and in which year was it published?',
        tools: ['find_book'],
        expect: { arguments: { title: 'Dune' }, answer: ['Frank Herbert', '1965'] },
        solution: [
          { calls: [{ name: 'find_book', arguments: { title: 'Dune' } }] },
          { final: 'Dune was written by Frank Herbert and published in 1965.' },
        ],
      },
      {
        id: 'neuromancer-on-the-shelf',
        prompt: 'Can I borrow Neuromancer today? Check whether a copy is on the shelf.',
        tools: ['find_book'],
        expect: { arguments: { title: 'Neuromancer' }, answer: [{ text: 'no copies', synonyms: ['none available', 'not available', 'unavailable', 'no copy', '0 copies'], derived: true }] },
        solution: [
          { calls: [{ name: 'find_book', arguments: { title: 'Neuromancer' } }] },
          { final: 'Not today: there are no copies of Neuromancer on the shelf right now.' },
        ],
      },
    ],
  }],
})
