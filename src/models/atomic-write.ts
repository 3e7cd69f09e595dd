// Writes a file so that it is either the old content or the new, never half of one: the text goes to a temporary file
// beside it, which is then renamed over it (atomic on one filesystem). A process killed mid-write (kill -9, Ctrl-C, a
// crash) leaves the previous file whole; readers in other processes never see a partial file.

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

let counter = 0

/** Writes `text` to `file` through a temporary file and a rename; creates the folder if needed. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.${++counter}.tmp`
  try {
    writeFileSync(temporary, text)
    renameSync(temporary, file)
  }
  catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}
