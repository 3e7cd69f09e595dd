// Reads the results folder's JSON-lines files (runs/, transcripts/) a piece at a time, never as one string: a file of
// any size is read (one written before records were capped reached 2 GB, past the longest string Node can hold), a
// line longer than the limit is skipped without being held, and a partial last line from a killed run is ignored.

import { closeSync, openSync, readSync } from 'node:fs'
import { maxTranscriptChars } from '../src/core/record-caps.ts'

/**
 * Lines longer than this are skipped: more bytes than the largest stored transcript (src/core/record-caps.ts) can take in
 * UTF-8, so such a line is no record this harness writes now (before the caps, a transcript line could be hundreds of
 * megabytes).
 */
const maxLineBytes = 4 * maxTranscriptChars

interface JsonlRead<T> {
  rows: T[]
  /** Lines skipped: too long, or not JSON (a partial last line). */
  skipped: number
}

/** Every JSON line of `path` that `keep` accepts (all by default); a missing file reads as none. */
export function readJsonLines<T>(path: string, keep: (row: T) => boolean = () => true, limit = maxLineBytes): JsonlRead<T> {
  let fd: number
  try {
    fd = openSync(path, 'r')
  }
  catch {
    return { rows: [], skipped: 0 }
  }
  const rows: T[] = []
  let skipped = 0
  const buffer = Buffer.allocUnsafe(1024 * 1024)
  let pending: Buffer[] = []
  let pendingBytes = 0
  let overlong = false
  const finishLine = (): void => {
    if (overlong) {
      skipped++
    }
    else if (pendingBytes > 0) {
      const text = Buffer.concat(pending, pendingBytes).toString('utf8')
      if (text.trim() !== '') {
        try {
          const row = JSON.parse(text) as T
          if (keep(row)) {
            rows.push(row)
          }
        }
        catch {
          skipped++
        }
      }
    }
    pending = []
    pendingBytes = 0
    overlong = false
  }
  try {
    for (let read = readSync(fd, buffer, 0, buffer.length, null); read > 0; read = readSync(fd, buffer, 0, buffer.length, null)) {
      let start = 0
      for (let newline = buffer.indexOf(10, start); newline !== -1 && newline < read; newline = buffer.indexOf(10, start)) {
        if (!overlong) {
          pending.push(Buffer.from(buffer.subarray(start, newline)))
          pendingBytes += newline - start
          overlong = pendingBytes > limit
        }
        finishLine()
        start = newline + 1
      }
      if (start < read && !overlong) {
        pending.push(Buffer.from(buffer.subarray(start, read)))
        pendingBytes += read - start
        if (pendingBytes > limit) {
          overlong = true
          pending = []
        }
      }
    }
    finishLine()
  }
  finally {
    closeSync(fd)
  }
  return { rows, skipped }
}
