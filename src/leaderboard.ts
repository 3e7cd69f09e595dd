// The leaderboard across runs, pure: a run's fresh results are merged into the previous leaderboard so it keeps the
// latest complete run of every model, models run on different days rank together, and scores against another version
// of a suite are kept but marked not comparable.

import type { HarnessStamp, LeaderboardFile, ModelResult, Suite, SuiteBoard, SuiteStamp } from './types.ts'
import { rank } from './scoring.ts'

export interface MergeResult {
  board: LeaderboardFile
  /** One line per decision worth telling the user (a partial run that did not replace a complete one). */
  notes: string[]
}

export function emptyBoard(suite: Suite, stamp: SuiteStamp): SuiteBoard {
  const taskCount = suite.categories.reduce((n, c) => n + c.tasks.length, 0)
  return {
    id: suite.id,
    title: suite.title,
    version: suite.version,
    hash: stamp.hash,
    aggregate: suite.aggregate,
    max: suite.aggregate === 'sum' ? taskCount * suite.maxScore : suite.maxScore,
    taskCount,
    maxPerTask: suite.maxScore,
    categories: suite.categories.map(({ id, title }) => ({ id, title })),
    models: [],
  }
}

/**
 * Merges fresh results (suite id -> one result per project) into `previous`. A complete fresh result replaces the
 * model's entry; a partial one replaces it only when the kept entry is not a complete, comparable one.
 */
export function mergeLeaderboard(
  previous: LeaderboardFile | undefined,
  fresh: ReadonlyMap<string, ModelResult[]>,
  suites: readonly Suite[],
  stamps: ReadonlyMap<string, SuiteStamp>,
  updatedAt: string,
  harness: HarnessStamp,
): MergeResult {
  const notes: string[] = []
  const boards: Record<string, SuiteBoard> = {}
  for (const suite of suites) {
    const stamp = stamps.get(suite.id)
    if (!stamp) {
      continue
    }
    const before = previous?.suites[suite.id]
    const models = new Map<string, ModelResult>((before?.models ?? []).map(model => [model.project, { ...model, comparable: model.hash === stamp.hash }]))
    for (const result of fresh.get(suite.id) ?? []) {
      const kept = models.get(result.project)
      if (!result.complete && kept?.complete && kept.comparable) {
        notes.push(`${result.project} ${suite.id}: this run was partial; the leaderboard keeps the complete run of ${kept.finishedAt}`)
        continue
      }
      models.set(result.project, { ...result, comparable: result.hash === stamp.hash })
    }
    if (models.size > 0) {
      boards[suite.id] = { ...emptyBoard(suite, stamp), models: rank([...models.values()]) }
    }
  }
  return { board: { schema: 1, updatedAt, harness, suites: boards }, notes }
}
