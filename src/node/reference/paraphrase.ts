// The paraphrase: the oracle's work in other words and, where a task allows, by another route. It makes the calls of
// the task's first alternative route (`routes`) or of its reference solution, and gives the reference answer in other
// valid forms (src/node/reference/rewrite.ts): spelled-out dates, 12-hour times, grouped thousands, Unicode hyphens in
// ids, units in words, synonyms, curly quotes; JSON re-ordered, and fenced after a lead-in where the prompt does not ask for JSON alone. A
// rubric that takes points from it rejects a right answer.

import type { Json } from '../../core/types.ts'
import type { Policy } from './policy.ts'
import { asksForJsonOnly, jsonFinal, promptOf, replay, say, turnOf } from './policy.ts'
import { paraphrase as rewrite, paraphraseJson } from './rewrite.ts'

export const paraphrase: Policy = (request, task) => {
  if (!task) {
    return say('I only know the benchmark\'s own tasks, and this is not one of them.')
  }
  const route = task.routes?.[0] ?? task.solution
  return replay(route, turnOf(request), (text) => {
    const json = jsonFinal(text)
    if (json === undefined) {
      return rewrite(text)
    }
    const body = paraphraseJson(json as Json)
    return request.wantsJson || asksForJsonOnly(promptOf(request)) ? body : `Here is the JSON you asked for:\n\n\`\`\`json\n${body}\n\`\`\``
  })
}
