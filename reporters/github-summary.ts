// The GitHub Actions job summary: when GITHUB_STEP_SUMMARY is set (GitHub sets it in every step), the leaderboard of
// the suites this run scored and the gate's verdict are appended to it as Markdown, next to Vitest's own output.

import type { LeaderboardFile } from '../src/core/types.ts'
import { appendFileSync } from 'node:fs'
import { renderSuite } from './tables.ts'

interface SummaryGate {
  /** Thresholds (MILO_MIN_SCORE, the config's gate) or a baseline (MILO_BASELINE) were set. */
  active: boolean
  ok: boolean
  failures: string[]
  /** The baseline comparison, rendered, when MILO_BASELINE was set. */
  baselineReport?: string
}

/** The summary's Markdown, pure: the suites this run scored (or every suite when it scored none), then the gate. */
export function summaryMarkdown(board: LeaderboardFile, suiteIds: readonly string[], gate: SummaryGate): string {
  const shown = Object.values(board.suites).filter(suite => suiteIds.length === 0 || suiteIds.includes(suite.id))
  const verdict = !gate.active
    ? 'no gate set (MILO_MIN_SCORE, the config\'s gate, MILO_BASELINE)'
    : gate.ok ? '**pass**' : '**FAIL**'
  const parts = [
    '# milo-bench',
    '',
    `Updated ${board.updatedAt} · harness ${board.harness.version}, Vitest ${board.harness.vitest}`,
    '',
    `Gate: ${verdict}`,
    ...gate.failures.map(line => `- ${line}`),
    '',
    ...shown.map(suite => `${renderSuite(suite)}\n`),
  ]
  if (gate.baselineReport) {
    parts.push('<details><summary>Comparison with the baseline</summary>', '', '```', gate.baselineReport, '```', '', '</details>', '')
  }
  return `${parts.join('\n')}\n`
}

/** Appends the summary when GITHUB_STEP_SUMMARY names a file; returns whether it did. */
export function appendStepSummary(env: Record<string, string | undefined>, board: LeaderboardFile, suiteIds: readonly string[], gate: SummaryGate): boolean {
  const path = env.GITHUB_STEP_SUMMARY
  if (!path) {
    return false
  }
  appendFileSync(path, summaryMarkdown(board, suiteIds, gate))
  return true
}
