// The test run's temp folder: every folder the tests and their child runs make in the temp folder (results folders,
// sandboxes' scratch folders, the child runs' own TMPDIRs, browser profiles, project copies for watch mode) is made in
// one folder of this run, removed when the run ends, so `npm test` leaves nothing in /tmp even where a test that failed
// half-way left its folders. Set before any worker starts, so the workers and every child they spawn inherit it. Only
// the browser's inflated binary is kept across runs, in the machine's temp folder (MILO_TEST_MACHINE_TMPDIR,
// support/chromium.ts). A run killed outright leaves its folder (`milo-test-run-*`).

import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): (() => void) | undefined {
  // Every project inherits the root's global setup: the first to run owns the folder, the others find it made.
  if (process.env.MILO_TEST_MACHINE_TMPDIR !== undefined) {
    return undefined
  }
  const machine = tmpdir()
  const before = process.env.TMPDIR
  const folder = mkdtempSync(join(machine, 'milo-test-run-'))
  // Passable by other users, as /tmp is (listable by none): a sandbox whose containment is a uid of its own needs to
  // reach its scratch folder in here (src/runtime/sandbox.ts).
  chmodSync(folder, 0o711)
  process.env.MILO_TEST_MACHINE_TMPDIR = machine
  process.env.TMPDIR = folder
  return () => {
    rmSync(folder, { recursive: true, force: true })
    delete process.env.MILO_TEST_MACHINE_TMPDIR
    if (before === undefined) {
      delete process.env.TMPDIR
    }
    else {
      process.env.TMPDIR = before
    }
  }
}
