// milo-bench/reporter: the leaderboard reporter (scores, run records, leaderboard.json / .md / .html, runs.csv, the
// gate's exit code) and the progress reporter, for configs that wire reporters themselves.

export type { LeaderboardReporterOptions } from '../../reporters/leaderboard-reporter.ts'
export type { ProgressReporterOptions } from '../../reporters/progress-reporter.ts'

export { default as LeaderboardReporter, default } from '../../reporters/leaderboard-reporter.ts'
export { default as ProgressReporter } from '../../reporters/progress-reporter.ts'
