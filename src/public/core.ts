// milo-bench/core: the pure scoring core, on plain data. Answer matching, checks on a transcript, run and suite scores,
// the scoring rules, statistics, ranks, the gate, the leaderboard merge and the results files' types. No Vitest, no I/O.

export type { AnswerSpec, AnswerVerdict, Claim, Fact } from '../core/answers.ts'
export type { ChainStep, CheckOutcome, Milestone, StatePattern } from '../core/checks.ts'
export type { GatePolicy, GateVerdict } from '../core/gate.ts'
export type { ScoringRule } from '../core/rules.ts'
export type { TestOutcome } from '../core/scoring.ts'
export type {
  AgentMetrics,
  CheckResult,
  LeaderboardFile,
  ModelResult,
  RecordedError,
  RunMeta,
  RunRecord,
  Suite,
  SuiteBoard,
  SuiteStamp,
  TaskResult,
  Transcript,
} from '../core/types.ts'

export { fold, judgeAnswer, states } from '../core/answers.ts'
export * as checks from '../core/checks.ts'
export { evaluateGate } from '../core/gate.ts'
export { mergeLeaderboard, taskDifficulty } from '../core/leaderboard.ts'
export { callCost, ratesFor, runCost } from '../core/pricing.ts'
export { compositeWeights, ruleOf, scoringRules } from '../core/rules.ts'
export { agentMetrics, compositeScore, rank, scoreRun, summarize } from '../core/scoring.ts'
export { bootstrapInterval, modelStats, notSeparable, passHatK, runSpread } from '../core/stats.ts'
export { stampSuite } from '../core/suite.ts'
