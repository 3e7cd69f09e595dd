// How a suite turns task scores into one model score: each rule is one object (its maximum, its score, how it prints
// and how it reads in a sentence), so scoring, statistics and every renderer ask the rule instead of switching on its
// name. Pure.

import type { SuiteAggregate } from './types.ts'

/** What a rule scores from: task means grouped by category, and the suite's pooled composite when it has one. */
interface RuleInput {
  /** Per category (in suite order), the mean score of each of its scored tasks. */
  categories: readonly (readonly number[])[]
  /** The composite of the runs pooled over the suite's tasks (coding-agent), computed by the caller. */
  composite?: () => number
}

export interface ScoringRule {
  id: SuiteAggregate
  /** Most a model can score, for a suite of `taskCount` tasks each scored 0 to `maxPerTask`. */
  max: (taskCount: number, maxPerTask: number) => number
  /** The model's score. */
  score: (input: RuleInput) => number
  /** Decimal places a score (and its interval, and a change in it) prints with. */
  places: number
  /** The score as the tables print it: "58.0/60", "0.80", "0.735". */
  format: (score: number, max: number) => string
  /** How the score is made, in a few words for a column's title. */
  describe: (max: number) => string
  /** Whether the sum of task scores is shown beside the score (the mean of categories hides it). */
  showsSum: boolean
  /** Whether the suite reports the coding-agent metrics (its score is their composite). */
  agentMetrics: boolean
  /** Whether the printed board adds the seed's round-2 tables: each model's categories with notes, and the first two side by side. */
  roundTables: boolean
}

/**
 * The coding-agent composite's weights, written here only. The seed publishes its composites (0.735 and 0.728) and
 * their inputs but not the weights; 0.5 / 0.3 / 0.2 are the only weights on a 0.01 grid, summing to 1, that reproduce
 * both from those inputs (test/coding-agent.e2e.test.ts searches the grid).
 */
export const compositeWeights = { toolCallSuccess: 0.5, taskCompletion: 0.3, noRework: 0.2 } as const

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length)

/** classic: the sum over prompts, out of prompts x maximum (60). */
const sum: ScoringRule = {
  id: 'sum',
  max: (taskCount, maxPerTask) => taskCount * maxPerTask,
  score: ({ categories }) => categories.reduce((total, scores) => total + scores.reduce((a, b) => a + b, 0), 0),
  places: 1,
  format: (score, max) => `${score.toFixed(1)}/${max}`,
  describe: max => `sum over prompts, out of ${max}`,
  showsSum: false,
  agentMetrics: false,
  roundTables: false,
}

/** v1: the mean of category means (macro), 0 to 1, with the sum out of the test count beside it. */
const macroMean: ScoringRule = {
  id: 'macro-mean',
  max: (_taskCount, maxPerTask) => maxPerTask,
  score: ({ categories }) => mean(categories.filter(scores => scores.length > 0).map(mean)),
  places: 2,
  format: score => score.toFixed(2),
  describe: () => 'mean of categories, 0 to 1',
  showsSum: true,
  agentMetrics: false,
  roundTables: true,
}

/** coding-agent: the composite of tool_call_success, task_completion and rework_rate pooled over the suite's runs. */
const composite: ScoringRule = {
  id: 'coding-agent',
  max: (_taskCount, maxPerTask) => maxPerTask,
  score: ({ composite: pooled }) => (pooled ? pooled() : 0),
  places: 3,
  format: score => score.toFixed(3),
  describe: () => `composite: ${compositeWeights.toolCallSuccess} x tool_call_success + ${compositeWeights.taskCompletion} x task_completion + ${compositeWeights.noRework} x (1 - rework_rate)`,
  showsSum: false,
  agentMetrics: true,
  roundTables: false,
}

export const scoringRules: Readonly<Record<SuiteAggregate, ScoringRule>> = { 'sum': sum, 'macro-mean': macroMean, 'coding-agent': composite }

/** The rule a suite (or a board, which records the rule's id) is scored by. */
export const ruleOf = (holder: { aggregate: SuiteAggregate }): ScoringRule => scoringRules[holder.aggregate]
