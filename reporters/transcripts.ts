// The transcript store (main process): the trimmed transcripts a worker records as `milo:transcript` test artifacts are
// appended next to the run records, as results/transcripts/<project>/<runId>.jsonl, so the HTML report can show the
// conversation behind any run still on the leaderboard, including runs of earlier days. Each line is capped (under
// 512 KB, src/core/record-caps.ts) and holds no secret, whatever the worker sent.

import type { TestCase } from 'vitest/node'
import type { Transcript } from '../src/core/types.ts'
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { capTranscript } from '../src/core/record-caps.ts'
import { redact } from '../src/models/redact.ts'

/** One JSON line of `results/transcripts/<project>/<runId>.jsonl`: the transcript of one run of one task. */
export interface TranscriptLine {
  schema: 1
  runId: string
  project: string
  suite: string
  taskId: string
  repeat: number
  transcript: Transcript
}

interface TranscriptArtifact {
  type: 'milo:transcript'
  repeat: number
  transcript: Transcript
}

function isTranscriptArtifact(value: unknown): value is TranscriptArtifact {
  const artifact = value as Partial<TranscriptArtifact> | null
  return typeof artifact === 'object' && artifact !== null && artifact.type === 'milo:transcript'
    && typeof artifact.repeat === 'number' && typeof artifact.transcript === 'object' && artifact.transcript !== null
}

/**
 * The transcript of each repeat of a test. Artifacts accumulate over repeats and retries, and they survive
 * `--merge-reports` (which does not replay the artifact events): the last one recorded for a repeat wins, as in meta.
 */
function transcriptsOf(testCase: TestCase): Map<number, Transcript> {
  const byRepeat = new Map<number, Transcript>()
  for (const artifact of testCase.artifacts() as readonly unknown[]) {
    if (isTranscriptArtifact(artifact)) {
      byRepeat.set(artifact.repeat, artifact.transcript)
    }
  }
  return byRepeat
}

/** Appends the test's transcripts under this reporter run's id, beside `runs/<project>/<runId>.jsonl`; `secrets` are redacted. */
export function appendTranscripts(outputDir: string, runId: string, where: { project: string, suite: string, taskId: string }, testCase: TestCase, secrets: readonly string[] = []): void {
  const lines = [...transcriptsOf(testCase)].map(([repeat, transcript]): TranscriptLine => ({
    schema: 1,
    runId,
    project: where.project,
    suite: where.suite,
    taskId: where.taskId,
    repeat,
    transcript: capTranscript(transcript),
  }))
  if (lines.length === 0) {
    return
  }
  const dir = join(outputDir, 'transcripts', where.project)
  mkdirSync(dir, { recursive: true })
  appendFileSync(join(dir, `${runId}.jsonl`), redact(`${lines.map(line => JSON.stringify(line)).join('\n')}\n`, secrets))
}
