// Chromium for the browser tests with no system package: the pinned @sparticuz/chromium (the binary ships inside the
// npm package and is inflated once per machine into the temp folder), or, where that cannot start (another CPU or OS),
// MILO_CHROMIUM or a system Chromium that does. Every launch gets a fresh profile, removed when the context closes.

import type { BrowserContext } from 'playwright-core'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { inflate } from '@sparticuz/chromium'
import { chromium } from 'playwright-core'

/** Where the package keeps its compressed browser: `bin/` beside `build/index.js` (its exports hide package.json). */
const packageDir = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..')

const isRoot = process.getuid?.() === 0

/**
 * Flags for a closed network and a throwaway profile: nothing phones home (component updates, sync, field trials), no
 * first-run UI. As root Chromium refuses to start sandboxed, so root gets --no-sandbox; other users keep the sandbox.
 */
const baseArgs = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/**
 * The npm package's Chromium, inflated into `<tmp>/milo-chromium-<version>-<uid>/`. Inflating goes to a fresh folder
 * that is renamed into place when complete, so runs in parallel (other checkouts on the machine) never see half a
 * binary. The package's own `executablePath()` would share `/tmp/chromium` with every version and check nothing.
 */
async function packagedChromium(): Promise<{ executablePath: string, env: Record<string, string> }> {
  const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version
  // Kept across test runs: in the machine's temp folder, not the run's (support/temp-folder.ts).
  const dir = join(process.env.MILO_TEST_MACHINE_TMPDIR ?? tmpdir(), `milo-chromium-${version}-${process.getuid?.() ?? 'user'}`)
  const env = { FONTCONFIG_FILE: join(dir, 'fonts.conf') }
  if (existsSync(join(dir, 'chromium'))) {
    return { executablePath: join(dir, 'chromium'), env }
  }
  const staging = mkdtempSync(`${dir}-staging-`)
  // `inflate` writes under os.tmpdir(), which it reads when called: point it at the staging folder for the calls only.
  const before = process.env.TMPDIR
  process.env.TMPDIR = staging
  let inflating: Promise<string[]>
  try {
    inflating = Promise.all(['chromium.br', 'fonts.tar.br', 'swiftshader.tar.br'].map(file => inflate(join(packageDir, 'bin', file))))
  }
  finally {
    if (before === undefined) {
      delete process.env.TMPDIR
    }
    else {
      process.env.TMPDIR = before
    }
  }
  try {
    await inflating
    // The package's fonts (Open Sans) beside the system's, for machines with no font installed at all.
    writeFileSync(join(staging, 'fonts.conf'), `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`)
    renameSync(staging, dir)
  }
  catch (error) {
    rmSync(staging, { recursive: true, force: true })
    // another process renamed its complete copy into place first: use that one
    if (!existsSync(join(dir, 'chromium'))) {
      throw error
    }
  }
  return { executablePath: join(dir, 'chromium'), env }
}

const systemCandidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome']

interface LaunchedChromium {
  context: BrowserContext
  /** The executable that started, for messages. */
  executablePath: string
}

/**
 * Headless Chromium in a fresh profile: MILO_CHROMIUM when set, else the npm package's, else the first system one that
 * starts. Throws, naming every executable tried and why it failed, when none does: the browser tests never skip.
 */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<LaunchedChromium> {
  const candidates: { executablePath: string, env?: Record<string, string> }[] = []
  if (process.env.MILO_CHROMIUM) {
    candidates.push({ executablePath: process.env.MILO_CHROMIUM })
  }
  const failures: string[] = []
  try {
    candidates.push(await packagedChromium())
  }
  catch (error) {
    failures.push(`@sparticuz/chromium: could not inflate (${(error as Error).message.split('\n')[0]})`)
  }
  candidates.push(...systemCandidates.filter(path => existsSync(path)).map(executablePath => ({ executablePath })))
  for (const candidate of candidates) {
    // a non-root user whose kernel forbids the sandbox's namespaces still gets a browser, unsandboxed
    for (const args of isRoot ? [[...baseArgs, '--no-sandbox']] : [baseArgs, [...baseArgs, '--no-sandbox']]) {
      const profile = mkdtempSync(join(tmpdir(), 'milo-chromium-profile-'))
      try {
        const context = await chromium.launchPersistentContext(profile, {
          executablePath: candidate.executablePath,
          headless: true,
          args,
          viewport,
          ...(candidate.env ? { env: { ...process.env, ...candidate.env } as Record<string, string> } : {}),
        })
        // The browser may still be writing its cache as the context closes: retry, and never fail a test over it
        // (the test run's temp folder is removed at its end anyway: support/temp-folder.ts).
        context.on('close', () => {
          try {
            rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
          }
          catch {}
        })
        return { context, executablePath: candidate.executablePath }
      }
      catch (error) {
        rmSync(profile, { recursive: true, force: true })
        failures.push(`${candidate.executablePath}${args.includes('--no-sandbox') && !isRoot ? ' (no sandbox)' : ''}: ${(error as Error).message.split('\n')[0]}`)
      }
    }
  }
  throw new Error(`no Chromium would start for the browser tests:\n${failures.map(line => `  ${line}`).join('\n')}\nRun npm ci (it installs @sparticuz/chromium), or set MILO_CHROMIUM to a Chromium executable.`)
}
