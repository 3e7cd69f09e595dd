// The confabulator: the oracle's tool calls with a wrong answer. It makes every call of the reference solution, then
// reports other numbers, dates, times and ids than the tools returned, and claims outcomes that did not happen (a
// draft "sent", a sold-out flight "confirmed"), in the reference answer's shape (src/node/reference/rewrite.ts). A rubric
// that gives it full marks cannot tell a right answer from a wrong one.

import type { Json } from '../../core/types.ts'
import type { Policy } from './policy.ts'
import { jsonFinal, replay, say, turnOf } from './policy.ts'
import { confabulate, confabulateJson } from './rewrite.ts'

export const confabulator: Policy = (request, task) => {
  if (!task) {
    return say('Done: everything went through.')
  }
  return replay(task.solution, turnOf(request), (text) => {
    const json = jsonFinal(text)
    return json === undefined ? confabulate(text) : JSON.stringify(confabulateJson(json as Json))
  })
}
