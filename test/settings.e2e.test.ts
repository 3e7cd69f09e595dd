// Settings parsed once, when the config loads: every MILO_* variable and every model entry checked, a bad value one
// line naming what is wrong and exit 1 before any test runs, a typo answered with a did-you-mean. Then the benchmark as
// users start it with each bad value the issue found.

import type { ModelEntry } from '../src/core/types.ts'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { models } from '../fixtures/models.ts'
import { readSettings, SettingsError } from '../src/node/settings.ts'
import { runBench } from './support/run-bench.ts'

/** The problems readSettings reports, or [] when the settings are good. */
function problems(env: Record<string, string>, entries: Record<string, unknown> = models): string[] {
  try {
    readSettings(entries as Record<string, ModelEntry>, env)
    return []
  }
  catch (error) {
    expect(error).toBeInstanceOf(SettingsError)
    return (error as SettingsError).problems
  }
}

const local: ModelEntry = { name: 'Local', model: 'm', baseURL: 'http://127.0.0.1:8080/v1', server: 'llama.cpp', where: 'local', context: { label: '128K', tokens: 131_072 } }

describe('readSettings: one typed object from the environment', () => {
  it('defaults when nothing is set, and every value as given', () => {
    const defaults = readSettings(models, {})
    expect(defaults).toMatchObject({ workers: Math.min(8, Math.max(2, availableParallelism())), budgetScale: 1 })
    expect(defaults.models.map(spec => spec.key)).toEqual(Object.keys(models))
    expect(readSettings(models, {
      MILO_WORKERS: '2', MILO_BUDGET_SCALE: '0.01', MILO_MIN_SCORE: '0.9', MILO_CACHE: 'strict', MILO_CACHE_DIR: 'cassettes', MILO_RESULTS_DIR: 'out',
      MILO_PROGRESS: 'off', MILO_BASELINE: 'base.json', MILO_MAX_REGRESSION: '0.05', MILO_BASE_URL: 'http://127.0.0.1:8765/v1', MILO_MODEL: 'oracle', MILO_STREAM: '1', MILO_TIMEOUT_MS: '1500',
    })).toMatchObject({
      workers: 2, budgetScale: 0.01, minScore: 0.9, cacheMode: 'strict', cacheDir: 'cassettes', resultsDir: 'out', progress: 0, baseline: 'base.json', maxRegression: 0.05,
      models: expect.arrayContaining([expect.objectContaining({ key: 'custom', baseURL: 'http://127.0.0.1:8765/v1', stream: true, requestTimeoutMs: 1500 })]),
    })
  })

  it('each bad value is one line naming the variable and what it takes', () => {
    expect(problems({ MILO_MIN_SCORE: 'abc' })).toEqual(['MILO_MIN_SCORE=abc is not a fraction between 0 and 1 (for 90%, write 0.9)'])
    expect(problems({ MILO_MIN_SCORE: '2' })).toEqual(['MILO_MIN_SCORE=2 is not a fraction between 0 and 1 (for 90%, write 0.9)'])
    expect(problems({ MILO_CACHE: 'bogus' })).toEqual(['MILO_CACHE=bogus is not a cache mode; use one of off, on, record, strict'])
    expect(problems({ MILO_BUDGET_SCALE: 'abc' })).toEqual(['MILO_BUDGET_SCALE=abc is not a positive number'])
    expect(problems({ MILO_WORKERS: '0' })).toEqual(['MILO_WORKERS=0 is not a positive whole number'])
    expect(problems({ MILO_PROGRESS: 'often' })).toEqual(['MILO_PROGRESS=often is not on, off, bar, lines or a whole number (a line every Nth test; 0 for none)'])
    expect(problems({ MILO_MAX_REGRESSION: '5' })).toEqual(['MILO_MAX_REGRESSION=5 is not a fraction between 0 and 1 (for 2 points of 100, write 0.02)'])
    expect(problems({ MILO_BASE_URL: 'http://', MILO_MODEL: 'm' })).toEqual(['MILO_BASE_URL=http:// is not a URL; write it as http://host:port/v1'])
    expect(problems({ MILO_BASE_URL: 'http://127.0.0.1:99999/v1', MILO_MODEL: 'm' })).toEqual(['MILO_BASE_URL=http://127.0.0.1:99999/v1 is not a URL; write it as http://host:port/v1'])
    expect(problems({ MILO_BASE_URL: ':99999', MILO_MODEL: 'm' })).toEqual(['MILO_BASE_URL=:99999 is not a URL; write it as http://host:port/v1'])
    expect(problems({ MILO_BASE_URL: 'ftp://127.0.0.1/v1', MILO_MODEL: 'm' })).toEqual(['MILO_BASE_URL=ftp://127.0.0.1/v1 must start with http:// or https://'])
    expect(problems({ MILO_BASE_URL: 'http://127.0.0.1:1/v1', MILO_MODEL: 'm', MILO_STREAM: 'yes' })).toEqual(['MILO_STREAM=yes is not 0 or 1'])
    expect(problems({ MILO_QWEN35_URL: 'localhost:8080' })).toEqual(['MILO_QWEN35_URL=localhost:8080 must start with http:// or https://'])
  })

  it('every problem at once, one line each', () => {
    expect(problems({ MILO_MIN_SCORE: 'abc', MILO_CACHE: 'bogus', MILO_BUDGET_SCALE: 'abc' })).toHaveLength(3)
  })

  it('a MILO_* name one typo away from a setting says which; other MILO_* names are left alone', () => {
    expect(problems({ MILO_MIN_SCOR: '0.9' })).toEqual(['MILO_MIN_SCOR is not a milo-bench setting; did you mean MILO_MIN_SCORE?'])
    expect(problems({ MILO_QWEN35_UR: 'http://127.0.0.1:1/v1' })).toEqual(['MILO_QWEN35_UR is not a milo-bench setting; did you mean MILO_QWEN35_URL?'])
    expect(problems({ MILO_SOMETHING_OF_MY_OWN: 'x' })).toEqual([])
  })
})

describe('model entries are checked: an unknown key gets a did-you-mean', () => {
  it('the typos the issue found: apiKeyEnvv, maxOutputToken, where: clould', () => {
    expect(problems({}, { mine: { ...local, apiKeyEnvv: 'MY_KEY' } })).toEqual(['fixtures/models.ts: mine: unknown field \'apiKeyEnvv\'; did you mean \'apiKeyEnv\'?'])
    expect(problems({}, { mine: { ...local, params: { maxOutputToken: 4096 } } })).toEqual(['fixtures/models.ts: mine: unknown field \'params.maxOutputToken\'; did you mean \'maxOutputTokens\'?'])
    expect(problems({}, { mine: { ...local, where: 'clould' } })).toEqual(['fixtures/models.ts: mine: where \'clould\' is not one of local, cloud, embedded; did you mean \'cloud\'?'])
  })

  it('wrong values and types, and a field nothing resembles', () => {
    expect(problems({}, { mine: { ...local, server: 'lamma.cpp' } })).toEqual(['fixtures/models.ts: mine: server \'lamma.cpp\' is not a server kind; did you mean \'llama.cpp\'?'])
    expect(problems({}, { mine: { ...local, concurrency: 0, stream: 'yes', reasoning: 'hide' } })).toEqual([
      'fixtures/models.ts: mine: reasoning \'hide\' is not one of promote-when-empty, keep-apart',
      'fixtures/models.ts: mine: concurrency must be a positive whole number',
      'fixtures/models.ts: mine: stream must be true or false',
    ])
    expect(problems({}, { mine: { ...local, colour: 'blue' } })[0]).toMatch(/^fixtures\/models\.ts: mine: unknown field 'colour'; known: name, model, baseURL, /)
    expect(problems({}, { mine: { ...local, baseURL: 'http://' } })).toEqual(['fixtures/models.ts: mine: baseURL \'http://\' is not a URL; write it as http://host:port/v1 (or \'embedded\')'])
  })

  it('the shipped matrix passes', () => {
    expect(problems({})).toEqual([])
  })
})

describe.concurrent('a bad setting, as users start the benchmark: one line, exit 1, before any test runs', () => {
  // The bad values the issue found, in two starts (a variable holds one value at a time): each a line of its own.
  const bad: [string, Record<string, string>, string[]][] = [
    ['four settings wrong at once', { MILO_MIN_SCORE: 'abc', MILO_CACHE: 'bogus', MILO_BUDGET_SCALE: 'abc', MILO_BASE_URL: 'http://127.0.0.1:99999/v1', MILO_MODEL: 'oracle' }, [
      'milo-bench: MILO_MIN_SCORE=abc is not a fraction between 0 and 1 (for 90%, write 0.9)',
      'milo-bench: MILO_CACHE=bogus is not a cache mode; use one of off, on, record, strict',
      'milo-bench: MILO_BUDGET_SCALE=abc is not a positive number',
      'milo-bench: MILO_BASE_URL=http://127.0.0.1:99999/v1 is not a URL; write it as http://host:port/v1',
    ]],
    ['MILO_MIN_SCORE=2 and MILO_BASE_URL=http://', { MILO_MIN_SCORE: '2', MILO_BASE_URL: 'http://', MILO_MODEL: 'oracle' }, [
      'milo-bench: MILO_MIN_SCORE=2 is not a fraction between 0 and 1 (for 90%, write 0.9)',
      'milo-bench: MILO_BASE_URL=http:// is not a URL; write it as http://host:port/v1',
    ]],
  ]
  it.each(bad)('%s', async (_, env, lines) => {
    const run = await runBench(['--project', 'oracle', 'benchmarks/classic/single-tool.spec.ts'], env)
    expect(run.code, run.output).toBe(1)
    expect(run.output.split('\n').filter(text => text.includes('milo-bench')).sort()).toEqual([...lines].sort())
    // Vitest never started: no run header, no test, no stack trace, nothing written.
    expect(run.output).not.toMatch(/ RUN |Test Files|\n\s+at /)
    expect(existsSync(join(run.resultsDir, 'leaderboard.json'))).toBe(false)
  }, 120_000)
})
