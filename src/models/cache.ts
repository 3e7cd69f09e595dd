// The response cache: model replies stored on disk, addressed by the full request (model, messages, tools, parameters)
// and the repeat number, so an unchanged call is answered from disk with its recorded latency. The same files,
// committed as cassettes, let CI re-score a recorded run with no model at all.

import type { CacheMode, CacheSettings } from '../protocol.ts'
import type { Json } from '../core/types.ts'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from './atomic-write.ts'
import { canonical } from '../core/checks.ts'

/**
 * One recorded reply: the server's raw body (or stream chunks), re-normalised on every read. A call that ran out of its
 * task's time budget is recorded too, with no body, so a replay with the same budget ends where the recording did.
 */
interface Recording {
  /** The non-streaming body, or the parsed chunks of a stream; absent when the call ran out of budget. */
  body?: Json
  streamed: boolean
  latencyMs: number
  /** Every exchange of the call, failed attempts included (defaults to latencyMs). */
  activeMs?: number
  ttftMs?: number
  /** The call was still running when this much budget was left, and was cut off there. */
  exhaustedAfterMs?: number
}

export class CacheMissError extends Error {
  constructor(readonly key: string) {
    super(`no recording for this request in strict cache mode (key ${key}); record it with MILO_CACHE=record`)
    this.name = 'CacheMissError'
  }
}



/** The address of a request: its whole body as sent (keys never are in a body) and the repeat number. */
export function cacheKey(body: Record<string, unknown>, repeat: number): string {
  return createHash('sha256').update(canonical(JSON.parse(JSON.stringify(body)) as Json)).update(`\u0000repeat=${repeat}`).digest('hex')
}

export interface ResponseCache {
  readonly mode: CacheMode
  /** A recorded reply to the request `key` in `space` (a project's replies: src/core/rows.ts replySpace). */
  read: (key: string, space: string) => Recording | undefined
  write: (key: string, space: string, recording: Recording) => void
  /**
   * Other deterministic work worth keeping beside the replies (a sandboxed test run of the same files): read in every
   * mode but `off` and `record`, where a miss is simply undefined (the work is redone, never a failure); written in
   * `on` and `record`.
   */
  recall: <T>(namespace: string, key: string) => T | undefined
  remember: (namespace: string, key: string, value: unknown) => void
}

/**
 * A reply's file: under its space's folder (the space as it is when it is a plain name, else made one and told apart
 * by a digest of it: `custom qwen @ http://a:8080/v1` and `custom qwen @ http://a_8080/v1` never share a folder).
 */
function fileOf(dir: string, space: string, key: string): string {
  const plain = space.replace(/[^\w.-]+/g, '_')
  const folder = plain === space ? space : `${plain.slice(0, 80)}-${createHash('sha256').update(space).digest('hex').slice(0, 12)}`
  return join(dir, folder, key.slice(0, 2), `${key}.json`)
}

export function openCache(settings: CacheSettings): ResponseCache {
  return {
    mode: settings.mode,
    read(key, space) {
      if (settings.mode === 'off' || settings.mode === 'record') {
        return undefined
      }
      try {
        return JSON.parse(readFileSync(fileOf(settings.dir, space, key), 'utf8')) as Recording
      }
      catch {
        if (settings.mode === 'strict') {
          throw new CacheMissError(key)
        }
        return undefined
      }
    },
    write(key, space, recording) {
      if (settings.mode === 'off' || settings.mode === 'strict') {
        return
      }
      writeAtomically(fileOf(settings.dir, space, key), recording)
    },
    recall<T>(namespace: string, key: string): T | undefined {
      if (settings.mode === 'off' || settings.mode === 'record') {
        return undefined
      }
      try {
        return JSON.parse(readFileSync(fileOf(settings.dir, `_${namespace}`, key), 'utf8')) as T
      }
      catch {
        return undefined
      }
    },
    remember(namespace, key, value) {
      if (settings.mode === 'on' || settings.mode === 'record') {
        writeAtomically(fileOf(settings.dir, `_${namespace}`, key), value)
      }
    },
  }
}

/**
 * Write then rename: a reader in another worker never sees half a file. A value that cannot be serialised (a reply
 * nested deeper than JSON.stringify's stack allows) is simply not recorded: the run goes on, and the call is made again
 * next time.
 */
function writeAtomically(file: string, value: unknown): void {
  let text: string
  try {
    text = JSON.stringify(value)
  }
  catch {
    return
  }
  writeFileAtomic(file, text)
}
