// The leaderboard across runs, pure: a run's fresh results are merged into the previous leaderboard so it keeps the
// latest complete run of every model, models run on different days rank together, and scores against another version
// of a suite are kept but marked not comparable.

import type { HarnessStamp, LeaderboardFile, ModelResult, Suite, SuiteBoard, SuiteStamp, TaskDifficulty } from './types.ts'
import { ruleOf } from './rules.ts'
import { rowKey } from './rows.ts'
import { rank } from './scoring.ts'

interface MergeResult {
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
    max: ruleOf(suite).max(taskCount, suite.maxScore),
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
    const models = new Map<string, ModelResult>((before?.models ?? []).map(model => [rowKey(model), { ...model, comparable: model.hash === stamp.hash }]))
    for (const result of fresh.get(suite.id) ?? []) {
      const kept = models.get(rowKey(result))
      if (!result.complete && kept?.complete && kept.comparable) {
        notes.push(`${result.project} ${suite.id}: this run was partial; the leaderboard keeps the complete run of ${kept.finishedAt}`)
        continue
      }
      models.set(rowKey(result), { ...result, comparable: result.hash === stamp.hash })
    }
    if (models.size > 0) {
      const ranked = rank([...models.values()])
      const difficulty = taskDifficulty(suite, ranked)
      boards[suite.id] = { ...emptyBoard(suite, stamp), models: ranked, ...(difficulty ? { difficulty } : {}) }
      // Said of the suites this run scored something in: a board only carried over has nothing new to say.
      if ((fresh.get(suite.id) ?? []).some(result => result.runs > result.infraErrors)) {
        notes.push(...difficultyNotes(suite, difficulty))
      }
    }
  }
  return { board: { schema: 1, updatedAt, harness, suites: boards }, notes }
}

/** The fewest ranked models (reference models aside) for a task's difficulty to say anything. */
export const difficultyQuorum = 2

/**
 * Per task, how many of the ranked models that are not reference models (`where: 'embedded'`) scored full marks and
 * how many scored 0; undefined until at least `difficultyQuorum` such models are ranked.
 */
export function taskDifficulty(suite: Suite, models: readonly ModelResult[]): Record<string, TaskDifficulty> | undefined {
  const judges = models.filter(model => model.rank !== null && model.where !== 'embedded')
  if (judges.length < difficultyQuorum) {
    return undefined
  }
  const out: Record<string, TaskDifficulty> = {}
  for (const category of suite.categories) {
    for (const task of category.tasks) {
      const scores = judges.map(model => model.tasks[task.id]?.score).filter((score): score is number => typeof score === 'number')
      out[task.id] = {
        category: category.id,
        models: scores.length,
        full: scores.filter(score => score >= suite.maxScore - 1e-9).length,
        zero: scores.filter(score => score <= 1e-9).length,
      }
    }
  }
  return out
}

/** The notes that flag tasks carrying no signal (every ranked model aces them) or suspect (every one fails them). */
export function difficultyNotes(suite: Suite, difficulty: Record<string, TaskDifficulty> | undefined): string[] {
  if (!difficulty) {
    return []
  }
  const entries = Object.entries(difficulty).filter(([, d]) => d.models >= difficultyQuorum)
  const aced = entries.filter(([, d]) => d.full === d.models).map(([id]) => id)
  const failed = entries.filter(([, d]) => d.zero === d.models).map(([id]) => id)
  return [
    ...(aced.length > 0 ? [`${suite.id}: ${aced.length} task(s) every ranked model aces, so they carry no signal: ${aced.join(', ')}`] : []),
    ...(failed.length > 0 ? [`${suite.id}: ${failed.length} task(s) every ranked model scores 0 on; check them for a defect: ${failed.join(', ')}`] : []),
  ]
}
