// The HTML report in a real browser: the benchmark (`npm run bench`'s four models) runs into a temporary results folder, and
// Chromium (the npm package's, see support/chromium.ts), driven by playwright-core, opens the leaderboard.html it wrote: the numbers on the page must be
// leaderboard.json's, sorting and the drill-down must work, nothing may leave the page, and model output stays text.

import type { BrowserContext, Page } from 'playwright-core'
import type { ReportData, RunView, TaskView } from '../reporters/html.ts'
import type { LeaderboardFile, ModelResult, RunRecord, SuiteBoard } from '../src/core/types.ts'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { escapeHtml, findings, fitBudget, loadReportData, renderHtml, scriptJson } from '../reporters/html.ts'
import { notSeparable } from '../src/core/stats.ts'
import { formatInterval, formatLatency, formatScore } from '../reporters/tables.ts'
import { launchChromium } from './support/chromium.ts'
import { sharedRun } from './support/shared-runs.ts'

let context: BrowserContext
let resultsDir: string
let board: LeaderboardFile
let pageURL: string
const requests: string[] = []
const problems: string[] = []

async function open(url = pageURL, viewport?: { width: number, height: number }): Promise<Page> {
  const page = await context.newPage()
  if (viewport) {
    await page.setViewportSize(viewport)
  }
  page.on('request', request => requests.push(request.url()))
  page.on('console', message => message.type() === 'error' && problems.push(message.text()))
  page.on('pageerror', error => problems.push(error.message))
  await page.goto(url)
  return page
}

const suiteBoards = (): SuiteBoard[] => Object.values(board.suites)

/**
 * Decodes a PNG in a blank page of the browser (no image library here): its size, how many of its pixels are the
 * first-place badge's gold (#f2c230), and how many distinct colours it has (a blank capture has one or two).
 */
async function readPng(png: Buffer): Promise<{ width: number, height: number, gold: number, colours: number }> {
  const page = await context.newPage()
  try {
    // evaluated in the page, where the DOM exists (this file is type-checked without the DOM library)
    return await page.evaluate(`(async () => {
      const image = new Image()
      image.src = 'data:image/png;base64,${png.toString('base64')}'
      await image.decode()
      const canvas = document.createElement('canvas')
      canvas.width = image.naturalWidth
      canvas.height = image.naturalHeight
      const context = canvas.getContext('2d')
      context.drawImage(image, 0, 0)
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data
      let gold = 0
      const colours = new Set()
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]]
        if (Math.abs(r - 0xf2) <= 12 && Math.abs(g - 0xc2) <= 12 && Math.abs(b - 0x30) <= 12) gold++
        if (colours.size < 1000) colours.add((r << 16) | (g << 8) | b)
      }
      return { width: canvas.width, height: canvas.height, gold, colours: colours.size }
    })()`)
  }
  finally {
    await page.close()
  }
}

/** A model, category and prompt where the baseline lost points: the drill-down's interesting case. */
function lostPrompt(suite: SuiteBoard): { taskId: string, category: string, score: number } {
  const baseline = suite.models.find(model => model.project === 'baseline')
  const found = Object.entries(baseline?.tasks ?? {}).find(([, task]) => task.score !== null && task.score < suite.maxPerTask)
  if (!found || found[1].score === null) {
    throw new Error(`baseline lost no point on ${suite.id}: the drill-down test needs a prompt it failed`)
  }
  return { taskId: found[0], category: found[1].category, score: found[1].score }
}

async function drillInto(page: Page, suiteId: string, project: string, category: string, taskId: string): Promise<void> {
  const section = page.locator(`section#suite-${suiteId}`)
  await section.locator(`details.model[data-project="${project}"] > summary`).click()
  await section.locator(`details.model[data-project="${project}"] details.category[data-category="${category}"] > summary`).click()
  await section.locator(`details.model[data-project="${project}"] details.task[data-task="${taskId}"] > summary`).click()
}

beforeAll(async () => {
  const run = await sharedRun('bench')
  expect(run.code, run.output).toBe(0)
  resultsDir = run.resultsDir
  board = run.leaderboard()
  pageURL = pathToFileURL(join(resultsDir, 'leaderboard.html')).href
  context = (await launchChromium()).context
}, 600_000)

afterAll(async () => {
  await context?.close()
})

describe('results/leaderboard.html in Chromium', () => {
  it('is one self-contained file: nothing is requested but the file itself, and the page has no error', async () => {
    const html = readFileSync(join(resultsDir, 'leaderboard.html'), 'utf8')
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i)
    expect(html).not.toMatch(/\ssrc=/i)
    expect(html).toContain('http-equiv="Content-Security-Policy"')
    expect(statSync(join(resultsDir, 'leaderboard.html')).size).toBeLessThan(3_000_000)
    requests.length = 0
    problems.length = 0
    const page = await open()
    await expect.poll(() => page.locator('section.suite').count()).toBe(suiteBoards().length)
    expect(requests).toEqual([pageURL])
    expect(problems).toEqual([])
    await page.close()
  })

  it('shows every suite\'s leaderboard with leaderboard.json\'s ranks, scores, percentages and latencies', async () => {
    const page = await open()
    for (const suite of suiteBoards()) {
      const rows = await page.locator(`section#suite-${suite.id} table.leaderboard tbody tr`).evaluateAll(trs => trs.map(tr => ({
        project: tr.getAttribute('data-project'),
        rank: tr.querySelector('td.rank')?.textContent,
        score: tr.querySelector('td.score')?.textContent,
        scoreValue: Number(tr.querySelector('td.score')?.getAttribute('data-value')),
        percent: tr.querySelector('td.percent')?.textContent,
        latency: tr.querySelector('td.latency')?.textContent,
      })))
      expect(rows).toEqual(suite.models.map(model => ({
        project: model.project,
        rank: model.rank === null ? (model.comparable ? 'inc.' : 'n/c') : String(model.rank),
        score: formatScore(suite, model),
        scoreValue: model.score,
        percent: `${model.percent.toFixed(1)}%`,
        latency: formatLatency(model.avgLatencyMs),
      })))
      if (suite.models.some(model => model.agent)) {
        const composite = await page.locator(`section#suite-${suite.id} table.agent-metrics tbody tr`).first().locator('td').allTextContents()
        expect(composite).toEqual(suite.models.map(model => model.agent?.composite.toFixed(3) ?? '–'))
      }
    }
    await page.close()
  })

  it('shows the per-category table as a heat map: every cell is the category score, coloured by it', async () => {
    const page = await open()
    for (const suite of suiteBoards()) {
      for (const category of suite.categories) {
        const cells = await page.locator(`section#suite-${suite.id} table.heatmap tr[data-category="${category.id}"] td`).evaluateAll(tds => tds.map(td => ({
          project: td.getAttribute('data-project'),
          text: td.textContent,
          background: td.ownerDocument.defaultView?.getComputedStyle(td).backgroundColor ?? '',
        })))
        expect(cells.map(({ project, text }) => ({ project, text }))).toEqual(suite.models.map(model => ({
          project: model.project,
          text: model.categories[category.id]?.toFixed(2) ?? '–',
        })))
        const [first, second] = suite.models.map(model => model.categories[category.id])
        if (first !== undefined && second !== undefined && first !== second) {
          expect(cells[0]?.background).not.toBe(cells[1]?.background)
        }
        for (const [i, model] of suite.models.entries()) {
          // full marks are green (the green channel dominates), nothing is red
          const [red = 0, green = 0] = (cells[i]?.background.match(/\d+/g) ?? []).map(Number)
          if (model.categories[category.id] === suite.maxPerTask) {
            expect(green, `${model.project} ${category.id}`).toBeGreaterThan(red)
          }
          if (model.categories[category.id] === 0) {
            expect(red, `${model.project} ${category.id}`).toBeGreaterThan(green)
          }
        }
      }
    }
    await page.close()
  })

  it('plots score against latency: one point per model, placed by its percent and its latency', async () => {
    const page = await open()
    for (const suite of suiteBoards()) {
      const points = await page.locator(`section#suite-${suite.id} svg.scatter-wide g.point`).evaluateAll(gs => gs.map((g) => {
        const box = g.querySelector('circle, rect, path')?.getBoundingClientRect() ?? { x: 0, y: 0, width: 0, height: 0 }
        return {
          project: g.getAttribute('data-project') ?? '',
          percent: Number(g.getAttribute('data-percent')),
          latency: Number(g.getAttribute('data-latency')),
          x: box.x + box.width / 2,
          y: box.y + box.height / 2,
          visible: box.width > 0 && box.height > 0,
        }
      }))
      const timed = suite.models.filter(model => model.avgLatencyMs > 0)
      expect(points.map(point => point.project).sort()).toEqual(timed.map(model => model.project).sort())
      for (const point of points) {
        const model = timed.find(m => m.project === point.project)
        expect(point).toMatchObject({ percent: model?.percent, latency: model?.avgLatencyMs, visible: true })
      }
      for (const a of points) {
        for (const b of points) {
          if (a.percent > b.percent) {
            expect(a.y, `${a.project} scores higher than ${b.project}, so it sits higher`).toBeLessThan(b.y)
          }
          if (a.latency > b.latency) {
            expect(a.x, `${a.project} is slower than ${b.project}, so it sits further right`).toBeGreaterThan(b.x)
          }
        }
      }
    }
    await page.close()
  })

  it('shows tokens and cost per run for every model ($0 after hardware for the embedded models)', async () => {
    const page = await open()
    for (const suite of suiteBoards()) {
      const rows = await page.locator(`section#suite-${suite.id} table.cost tbody tr`).evaluateAll(trs => trs.map(tr => ({
        project: tr.getAttribute('data-project'),
        cells: [...tr.querySelectorAll('td')].map(td => td.textContent),
      })))
      expect(rows).toEqual(suite.models.map(model => ({
        project: model.project,
        cells: [model.name, 'Embedded', String(model.runs), model.tokens.inputTokens.toLocaleString('en-US'), model.tokens.outputTokens.toLocaleString('en-US'), '$0 after hardware', '–', ''],
      })))
    }
    await page.close()
  })

  it('shows a priced cloud model\'s cost: the total, per run in the leaderboard and the cost table, with a bar', async () => {
    // This run's board with two cloud rows added, priced the way summarize prices them (tokens x USD per million).
    const suite = suiteBoards()[0] as SuiteBoard
    const oracle = suite.models.find(model => model.project === 'oracle') as ModelResult
    const cloud = (project: string, tokens: ModelResult['tokens'], price: { input: number, output: number }): ModelResult => ({
      ...oracle,
      project,
      name: project.toUpperCase(),
      where: 'cloud',
      rank: 2,
      runs: 3,
      tokens,
      cost: (tokens.inputTokens * price.input + tokens.outputTokens * price.output) / 1_000_000,
    })
    const opus = cloud('opus', { inputTokens: 200_000, outputTokens: 10_000 }, { input: 3, output: 15 }) // $0.75, $0.25 a run
    const flash = cloud('flash', { inputTokens: 8_000, outputTokens: 400 }, { input: 0.1, output: 0.4 }) // $0.00096, $0.00032 a run
    const priced: LeaderboardFile = { ...board, suites: { [suite.id]: { ...suite, models: [...suite.models, opus, flash] } } }
    const dir = mkdtempSync(join(tmpdir(), 'milo-priced-'))
    writeFileSync(join(dir, 'leaderboard.html'), renderHtml(priced, { suites: {} }))
    problems.length = 0
    const page = await open(pathToFileURL(join(dir, 'leaderboard.html')).href)
    const section = page.locator(`section#suite-${suite.id}`)
    const costRow = async (project: string): Promise<{ cells: string[], bar: number }> => {
      const row = section.locator(`table.cost tbody tr[data-project="${project}"]`)
      const cells = await row.locator('td').allTextContents()
      const bar = await row.locator('.bar').count() === 0 ? 0 : (await row.locator('.bar').boundingBox())?.width ?? 0
      return { cells, bar }
    }
    const opusRow = await costRow('opus')
    expect(opusRow.cells).toEqual(['OPUS', 'Cloud API', '3', '200,000', '10,000', '$0.75', '$0.25', ''])
    const flashRow = await costRow('flash')
    expect(flashRow.cells).toEqual(['FLASH', 'Cloud API', '3', '8,000', '400', '$0.0010', '$0.0003', ''])
    // The bar is scaled to the dearest model per run.
    expect(opusRow.bar).toBeGreaterThan(50)
    expect(flashRow.bar).toBeLessThan(opusRow.bar / 100)
    const embeddedRow = await costRow('oracle')
    expect(embeddedRow.cells.slice(5)).toEqual(['$0 after hardware', '–', ''])
    expect(embeddedRow.bar).toBe(0)
    const leaderboardCost = (project: string): Promise<string | null> => section.locator(`table.leaderboard tbody tr[data-project="${project}"] td.cost`).textContent()
    expect(await leaderboardCost('opus')).toBe('$0.25')
    expect(await leaderboardCost('flash')).toBe('$0.0003')
    expect(await leaderboardCost('oracle')).toBe('–')
    expect(await section.textContent()).not.toContain('No cloud model on this board')
    expect(problems).toEqual([])
    await page.close()
  })

  it('sorts a leaderboard by the clicked column, and reverses on a second click', async () => {
    const page = await open()
    const suite = suiteBoards()[0] as SuiteBoard
    const table = page.locator(`section#suite-${suite.id} table.leaderboard`)
    const order = (): Promise<string[]> => table.locator('tbody tr').evaluateAll(trs => trs.map(tr => tr.getAttribute('data-project') ?? ''))
    // Models that tie (the oracle and the paraphrase at 100%) stay in the board's order either way.
    const byPercent = (sign: number): string[] => [...suite.models].sort((a, b) => sign * (a.percent - b.percent)).map(model => model.project)
    expect(byPercent(1)).not.toEqual([...byPercent(-1)].reverse())
    await table.locator('th', { hasText: /^%$/ }).getByRole('button').click()
    expect(await order()).toEqual(byPercent(1))
    expect(await table.locator('th', { hasText: /^%$/ }).getAttribute('aria-sort')).toBe('ascending')
    await table.locator('th', { hasText: /^%$/ }).getByRole('button').click()
    expect(await order()).toEqual(byPercent(-1))
    expect(await table.locator('th', { hasText: /^%$/ }).getAttribute('aria-sort')).toBe('descending')
    await table.locator('th', { hasText: 'Model' }).getByRole('button').click()
    expect(await order()).toEqual([...suite.models].sort((a, b) => a.name.localeCompare(b.name)).map(model => model.project))
    await page.close()
  })

  it('drills down model -> category -> prompt -> run to the run\'s checks and transcript, as recorded', async () => {
    const page = await open()
    for (const suite of suiteBoards()) {
      const { taskId, category } = lostPrompt(suite)
      await drillInto(page, suite.id, 'baseline', category, taskId)
      const records = readdirSync(join(resultsDir, 'runs', 'baseline'))
        .flatMap(file => readFileSync(join(resultsDir, 'runs', 'baseline', file), 'utf8').trim().split('\n').map(line => JSON.parse(line) as RunRecord))
        .filter(record => record.suite.id === suite.id && record.taskId === taskId)
        .sort((a, b) => a.repeat - b.repeat)
      const task = page.locator(`section#suite-${suite.id} details.task[data-task="${taskId}"]`)
      const runs = task.locator('details.run')
      await expect.poll(() => runs.count()).toBe(records.length)
      const prompt = suites.find(s => s.id === suite.id)?.categories.flatMap(c => c.tasks).find(t => t.id === taskId)?.prompt
      for (const [i, record] of records.entries()) {
        const run = runs.nth(i)
        if (await run.getAttribute('open') === null) {
          await run.locator('summary').click()
        }
        expect(await run.locator('summary').textContent()).toContain(`Run ${record.repeat + 1}: ${record.score?.toFixed(2)}/${record.maxScore}`)
        const checks = await run.locator('ul.checks li').evaluateAll(lis => lis.map(li => ({ pass: li.classList.contains('pass'), name: li.querySelector('.name')?.textContent })))
        expect(checks).toEqual(record.checks.map(check => ({ pass: check.pass, name: check.name })))
        // the prompt opens the transcript (long bodies are cut in the page, so compare the start)
        const user = await run.locator('ol.messages li.role-user pre').first().textContent()
        expect(user?.slice(0, 200)).toBe(prompt?.slice(0, 200))
        expect(await run.locator('ol.messages li.role-assistant').count()).toBe(record.calls)
      }
      expect(await task.locator('ul.checks li.fail').count()).toBeGreaterThan(0)
    }
    await page.close()
  })

  it('screenshots the leaderboard this run wrote, with the oracle first, and saves the full page beside the run\'s results (a temporary folder, never the checkout)', async () => {
    const page = await open()
    const suite = suiteBoards()[0] as SuiteBoard
    const oracle = suite.models.find(model => model.project === 'oracle') as ModelResult
    // The page is this run's: its header carries the leaderboard.json this run wrote.
    expect(await page.locator('header p.muted').first().textContent()).toContain(`Updated ${board.updatedAt}`)
    const table = page.locator(`section#suite-${suite.id} table.leaderboard`)
    const row = table.locator('tbody tr[data-project="oracle"]')
    await expect.poll(() => table.isVisible()).toBe(true)
    expect(await row.isVisible()).toBe(true)
    expect(await row.locator('td.rank').textContent()).toBe('1')
    expect(await row.locator('td.score').textContent()).toBe(formatScore(suite, oracle))
    const tableShot = await table.screenshot({ path: join(resultsDir, 'leaderboard-table.png') })
    const box = await table.boundingBox()
    const tableImage = await readPng(tableShot)
    // The capture is the table's box, give or take the pixels its fractional edges round out to (under one each).
    expect(Math.abs(tableImage.width - (box?.width ?? 0))).toBeLessThan(2)
    expect(Math.abs(tableImage.height - (box?.height ?? 0))).toBeLessThan(2)
    // The first place's gold badge is drawn in the oracle's row: the picture shows the ranking, not a blank box.
    expect(tableImage.gold).toBeGreaterThan(50)
    expect(tableImage.colours).toBeGreaterThan(20)
    const { taskId, category } = lostPrompt(suite)
    await drillInto(page, suite.id, 'baseline', category, taskId)
    await page.locator(`section#suite-${suite.id} details.task[data-task="${taskId}"] details.run`).first().waitFor()
    const shot = join(resultsDir, 'leaderboard.png')
    const full = await page.screenshot({ path: shot, fullPage: true })
    const fullImage = await readPng(full)
    expect(fullImage.height).toBeGreaterThan(tableImage.height)
    expect(fullImage.gold).toBeGreaterThan(50)
    // The file saved is this very screenshot, of this run's page, byte for byte.
    expect(readFileSync(shot).equals(full)).toBe(true)
    await page.close()
  })
})

/** Evaluates an expression in the page (this file is type-checked without the DOM library). */
const inPage = <T>(page: Page, expression: string): Promise<T> => page.evaluate(expression) as Promise<T>
const pageOverflow = (page: Page): Promise<number> => inPage<number>(page, 'document.documentElement.scrollWidth - document.documentElement.clientWidth')

/** The prompts shown in a suite's drill-down, as `project/task`, and its runs shown, as `project/task/repeat`. */
async function shown(page: Page, suiteId: string): Promise<{ prompts: string[], runs: string[] }> {
  const section = page.locator(`section#suite-${suiteId} .drill`)
  const prompts = await section.locator('details.task').evaluateAll(els => els.filter(el => el.closest('[hidden]') === null).map(el => `${el.getAttribute('data-project')}/${el.getAttribute('data-task')}`))
  const runs = await section.locator('details.run').evaluateAll(els => els.filter(el => el.closest('[hidden]') === null).map((el) => {
    const task = el.closest('details.task')
    return `${task?.getAttribute('data-project')}/${task?.getAttribute('data-task')}/${el.getAttribute('data-repeat')}`
  }))
  return { prompts: prompts.sort(), runs: runs.sort() }
}

describe.each([390, 1280])('the page at %i px wide, before and after drilling down', (width) => {
  const phone = width < 600
  // This run's page with what its layout must survive: per suite, the baseline's lost prompt gets a check message
  // and a tool call that are one long JSON value with no space to break at; on classic, a copy of the baseline
  // ('twin') half a point lower, whose interval overlaps the baseline's, and one baseline run lost to the infrastructure.
  let stressURL: string
  let stress: LeaderboardFile
  let stressData: ReportData
  const marker = (suiteId: string): string => `needle-${suiteId}-in-json`
  let infra: { taskId: string, category: string }

  beforeAll(() => {
    stress = structuredClone(board)
    stressData = loadReportData(resultsDir, stress)
    const classic = stress.suites.classic as SuiteBoard
    const baseline = classic.models.find(model => model.project === 'baseline') as ModelResult
    const twin: ModelResult = { ...structuredClone(baseline), project: 'twin', name: 'baseline twin', score: baseline.score - 0.5, percent: baseline.percent - 0.5 / 0.6, rank: 3, ...(baseline.interval ? { interval: { ...baseline.interval, low: baseline.interval.low - 0.5, high: baseline.interval.high - 0.5 } } : {}) }
    classic.models.push(twin)
    const classicData = stressData.suites.classic as Record<string, Record<string, TaskView>>
    classicData.twin = structuredClone(classicData.baseline as Record<string, TaskView>)
    for (const suite of suiteBoards()) {
      const { taskId } = lostPrompt(suite)
      const run = stressData.suites[suite.id]?.baseline?.[taskId]?.runs[0]
      if (!run?.checks[0] || !run.transcript) {
        throw new Error(`no check or transcript to stretch on ${suite.id}/${taskId}`)
      }
      const json = JSON.stringify({ marker: marker(suite.id), payload: 'x'.repeat(300), rows: Array.from({ length: 12 }, (_, i) => ({ id: `row_${i}`, value: 'without_any_space' })) })
      run.checks[0].message = `expected ${json}`
      run.transcript.messages.push({ role: 'assistant', content: json, calls: [{ name: 'search_records', arguments: json }] })
    }
    const full = Object.entries(baseline.tasks).find(([, task]) => task.runs.length > 1)
    if (!full) {
      throw new Error('the baseline has no classic prompt with two runs')
    }
    infra = { taskId: full[0], category: full[1].category }
    full[1].runs[1] = null
    const lostRun = stressData.suites.classic?.baseline?.[full[0]]?.runs[1]
    if (!lostRun) {
      throw new Error('no run record behind the prompt chosen for the infrastructure error')
    }
    Object.assign(lostRun, { score: null, endReason: 'error', error: 'server: 503 from the model server after 3 retries', checks: [] })
    const dir = mkdtempSync(join(tmpdir(), 'milo-stress-'))
    writeFileSync(join(dir, 'leaderboard.html'), renderHtml(stress, stressData))
    stressURL = pathToFileURL(join(dir, 'leaderboard.html')).href
  })

  it('puts every table in its own scroll box, with a shadow and "scroll →" while more is off to one side', async () => {
    const page = await open(pageURL, { width, height: 900 })
    const boxes = await page.locator('table').evaluateAll(tables => tables.map((table) => {
      const scroll = table.parentElement
      const box = scroll?.parentElement
      const hint = box?.nextElementSibling
      const style = (el: typeof table, pseudo?: string) => table.ownerDocument.defaultView!.getComputedStyle(el, pseudo)
      if (!scroll || !box || !hint) {
        return { boxed: false }
      }
      return {
        boxed: scroll.classList.contains('scroll') && box.classList.contains('scroll-box') && style(scroll).overflowX === 'auto',
        leaderboard: table.classList.contains('leaderboard'),
        room: scroll.scrollWidth - scroll.clientWidth,
        sides: box.getAttribute('data-overflow'),
        right: style(box, '::after').opacity,
        hint: hint.classList.contains('scroll-hint') && style(hint).display !== 'none',
      }
    }))
    expect(boxes.length).toBeGreaterThan(suiteBoards().length * 3)
    for (const box of boxes) {
      expect(box.boxed).toBe(true)
      const more = (box.room ?? 0) > 1
      expect({ sides: box.sides, right: box.right, hint: box.hint }).toEqual(more ? { sides: 'right', right: '1', hint: true } : { sides: 'none', right: '0', hint: false })
    }
    // on a phone the leaderboards are wider than the screen; on a desktop they fit
    expect(boxes.filter(box => box.leaderboard).every(box => (box.room ?? 0) > 1)).toBe(phone)
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0)
    if (phone) {
      // scrolled to its end, a box's cue moves to the left edge and the hint goes
      const box = page.locator('section#suite-classic .scroll-box').first()
      await box.locator('.scroll').evaluate((el) => { el.scrollLeft = el.scrollWidth })
      await expect.poll(() => box.getAttribute('data-overflow')).toBe('left')
      expect(await box.evaluate(el => el.ownerDocument.defaultView!.getComputedStyle(el, '::before').opacity)).toBe('1')
      expect(await page.locator('section#suite-classic .scroll-hint').first().isVisible()).toBe(false)
    }
    expect(problems).toEqual([])
    await page.close()
  })

  it('never scrolls the page sideways, before or after opening runs whose checks and calls hold long JSON', async () => {
    problems.length = 0
    const page = await open(stressURL, { width, height: 900 })
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0)
    for (const suite of suiteBoards()) {
      const { taskId, category } = lostPrompt(suite)
      await drillInto(page, suite.id, 'baseline', category, taskId)
      const run = page.locator(`section#suite-${suite.id} details.task[data-project="baseline"][data-task="${taskId}"] details.run`).first()
      if (await run.getAttribute('open') === null) {
        await run.locator('summary').click()
      }
      const message = run.locator('ul.checks li .message').first()
      expect(await message.textContent()).toContain(marker(suite.id))
      const box = await message.boundingBox()
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width)
      const call = await run.locator('ol.messages .call').last().boundingBox()
      expect((call?.x ?? 0) + (call?.width ?? 0)).toBeLessThanOrEqual(width)
    }
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0)
    expect(problems).toEqual([])
    await page.close()
  })

  it('labels the score-versus-latency axes at about 12 px: a phone gets a plot drawn for its width', async () => {
    const page = await open(pageURL, { width, height: 900 })
    for (const suite of suiteBoards()) {
      const section = page.locator(`section#suite-${suite.id}`)
      expect(await section.locator('svg.scatter-narrow').isVisible()).toBe(phone)
      expect(await section.locator('svg.scatter-wide').isVisible()).toBe(!phone)
      const svg = section.locator(`svg.scatter-${phone ? 'narrow' : 'wide'}`)
      expect((await svg.boundingBox())?.width).toBeLessThanOrEqual(width)
      const sizes = await svg.locator('.tick text, text.label').evaluateAll(texts => texts.map((text) => {
        const svg = text.closest('svg')
        const viewBoxWidth = Number(svg?.getAttribute('viewBox')?.split(' ')[2])
        const scale = (svg?.getBoundingClientRect().width ?? 0) / viewBoxWidth
        return Number.parseFloat(text.ownerDocument.defaultView!.getComputedStyle(text).fontSize) * scale
      }))
      expect(sizes.length).toBeGreaterThan(4)
      for (const size of sizes) {
        expect(size).toBeGreaterThanOrEqual(11)
        expect(size).toBeLessThanOrEqual(15)
      }
    }
    await page.close()
  })

  it('filters the drill-down to runs that lost points, or to runs lost to the infrastructure, and back to all', async () => {
    const page = await open(stressURL, { width, height: 900 })
    const suite = stress.suites.classic as SuiteBoard
    const section = page.locator('section#suite-classic')
    const everything = await shown(page, 'classic')
    const runsOf = (pick: (score: number | null, max: number) => boolean): string[] => suite.models.flatMap(model => Object.entries(stressData.suites.classic?.[model.project] ?? {})
      .flatMap(([taskId, task]) => task.runs.filter(run => pick(run.score, run.maxScore)).map(() => `${model.project}/${taskId}`)))
    const lost = [...new Set(runsOf((score, max) => score !== null && score < max))].sort()
    expect(lost.length).toBeGreaterThan(0)
    expect(lost.length).toBeLessThan(everything.prompts.length)
    await section.locator('select.drill-filter').selectOption('lost')
    expect((await shown(page, 'classic')).prompts).toEqual(lost)
    // inside a prompt, only its runs below full marks are left
    const { taskId, category } = lostPrompt(suite)
    await section.locator(`details.model[data-project="baseline"] details.category[data-category="${category}"] details.task[data-task="${taskId}"] > summary`).click()
    const runs = stressData.suites.classic?.baseline?.[taskId]?.runs ?? []
    // the runs are built when the prompt opens (its toggle event comes after the click)
    await expect.poll(async () => (await shown(page, 'classic')).runs).toEqual(runs.filter(run => run.score !== null && run.score < run.maxScore).map(run => `baseline/${taskId}/${run.repeat}`).sort())
    expect(await section.locator('.drill-status').textContent()).toBe(`${lost.length} prompts, ${runsOf((score, max) => score !== null && score < max).length} runs match`)
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0)
    await section.locator('select.drill-filter').selectOption('infra')
    expect((await shown(page, 'classic')).prompts).toEqual([`baseline/${infra.taskId}`])
    expect(await section.locator('.drill-status').textContent()).toBe('1 prompt, 1 run match')
    await section.locator(`details.task[data-project="baseline"][data-task="${infra.taskId}"] > summary`).click()
    await expect.poll(async () => (await shown(page, 'classic')).runs).toEqual([`baseline/${infra.taskId}/1`])
    expect(await section.locator(`details.task[data-task="${infra.taskId}"] details.run[data-repeat="1"] p.call.fail`).textContent()).toContain('503')
    await section.locator('select.drill-filter').selectOption('all')
    expect((await shown(page, 'classic')).prompts).toEqual(everything.prompts)
    // v1 has no infrastructure error: the filter says so instead of showing an empty list
    const v1 = page.locator('section#suite-v1')
    await v1.locator('select.drill-filter').selectOption('infra')
    expect((await shown(page, 'v1')).prompts).toEqual([])
    expect(await v1.locator('.drill-empty').isVisible()).toBe(true)
    await page.close()
  })

  it('searches runs and checks: a check message\'s text, a prompt id, every word at once', async () => {
    const page = await open(stressURL, { width, height: 900 })
    const section = page.locator('section#suite-classic')
    const search = section.locator('input.drill-search')
    const { taskId } = lostPrompt(stress.suites.classic as SuiteBoard)
    await search.fill(marker('classic'))
    expect((await shown(page, 'classic')).prompts).toEqual([`baseline/${taskId}`])
    expect(await section.locator('.drill-status').textContent()).toBe('1 prompt, 1 run match')
    await section.locator(`details.task[data-project="baseline"][data-task="${taskId}"] > summary`).click()
    await expect.poll(async () => (await shown(page, 'classic')).runs).toEqual([`baseline/${taskId}/0`])
    // a prompt id finds that prompt under every model, with all its runs
    await search.fill(taskId.toUpperCase())
    const models = (stress.suites.classic as SuiteBoard).models.filter(model => model.tasks[taskId]).map(model => `${model.project}/${taskId}`).sort()
    expect((await shown(page, 'classic')).prompts).toEqual(models)
    // words combine: the prompt id and the marker leave the one run again
    await search.fill(`${taskId} ${marker('classic')}`)
    expect((await shown(page, 'classic')).prompts).toEqual([`baseline/${taskId}`])
    await search.fill('no-such-text-anywhere')
    expect((await shown(page, 'classic')).prompts).toEqual([])
    expect(await section.locator('.drill-empty').isVisible()).toBe(true)
    await search.fill('')
    expect((await shown(page, 'classic')).prompts.length).toBe(Object.values(stress.suites.classic?.models ?? []).reduce((n, model) => n + Object.keys(model.tasks).length, 0))
    expect(await section.locator('.drill-empty').isVisible()).toBe(false)
    expect(await pageOverflow(page)).toBeLessThanOrEqual(0)
    await page.close()
  })

  it('sorts from the keyboard: Tab reaches a header, Enter and Space sort, aria-sort says which way', async () => {
    const page = await open(pageURL, { width, height: 900 })
    const suite = suiteBoards()[0] as SuiteBoard
    const table = page.locator(`section#suite-${suite.id} table.leaderboard`)
    const order = (): Promise<string[]> => table.locator('tbody tr').evaluateAll(trs => trs.map(tr => tr.getAttribute('data-project') ?? ''))
    expect(await table.locator('th', { hasText: 'Rank' }).getAttribute('aria-sort')).toBe('ascending')
    const onPercent = `(() => { const el = document.activeElement; return !!el && el.tagName === 'BUTTON' && el.textContent === '%' && !!el.closest('section#suite-${suite.id} table.leaderboard') })()`
    let tabs = 0
    while (!(await inPage<boolean>(page, onPercent)) && tabs < 80) {
      await page.keyboard.press('Tab')
      tabs++
    }
    expect(await inPage<boolean>(page, onPercent)).toBe(true)
    // the focused header shows it has the focus
    expect(await inPage<string>(page, 'getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none')
    const byPercent = (sign: number): string[] => [...suite.models].sort((a, b) => sign * (a.percent - b.percent)).map(model => model.project)
    await page.keyboard.press('Enter')
    expect(await order()).toEqual(byPercent(1))
    expect(await table.locator('th', { hasText: /^%$/ }).getAttribute('aria-sort')).toBe('ascending')
    expect(await table.locator('th', { hasText: 'Rank' }).getAttribute('aria-sort')).toBeNull()
    await page.keyboard.press('Space')
    expect(await order()).toEqual(byPercent(-1))
    expect(await table.locator('th', { hasText: /^%$/ }).getAttribute('aria-sort')).toBe('descending')
    await page.close()
  })

  it('explains the heat map\'s stops, shows each score\'s interval with the not-separable mark, and the repeats', async () => {
    const page = await open(stressURL, { width, height: 900 })
    for (const suite of Object.values(stress.suites)) {
      const section = page.locator(`section#suite-${suite.id}`)
      const stops = [0, 0.5, 0.75, 0.9, 1].map(f => `${(f * suite.maxPerTask).toFixed(2)} = ${Math.round(f * 100)}%`)
      expect(await section.locator('.heat-legend span').allTextContents()).toEqual(stops)
      expect(await section.locator('.heat-explained').textContent()).toContain(`${suite.maxPerTask.toFixed(2)}, the per-prompt maximum`)
      const intervals = await section.locator('table.leaderboard td.interval').allTextContents()
      const marks = notSeparable(suite.models)
      expect(intervals).toEqual(suite.models.map((model, i) => (model.interval ? `${formatInterval(suite, model.interval)}${marks[i] ? ' ≈' : ''}` : '–')))
      expect(await section.locator('ul.notes').textContent()).toContain('95% CI: the score\'s 95% interval from a bootstrap over prompts')
      const passK = await section.locator('table.repeats tbody tr').evaluateAll(trs => trs.map(tr => [...tr.querySelectorAll('td.pass-k')].map(td => td.textContent)))
      expect(passK).toEqual(suite.models.map(model => model.repeats?.passK.map(value => value?.toFixed(2) ?? '–')))
      expect((await section.locator('table.leaderboard').boundingBox())?.width).toBeGreaterThan(0)
    }
    // the twin overlaps the baseline just above it: marked, and the note says what the mark means
    const twin = page.locator('section#suite-classic table.leaderboard tr[data-project="twin"] td.interval .inseparable')
    expect(await twin.textContent()).toBe('≈')
    expect(await page.locator('section#suite-classic ul.notes').textContent()).toContain('≈ marks a model whose interval overlaps the one of the model ranked just above it')
    await page.close()
  })
})

describe('the page treats model output as text', () => {
  it('shows hostile model names, check messages and transcripts literally and runs none of them', async () => {
    const hostile = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    const suite = suiteBoards()[0] as SuiteBoard
    const { taskId, category } = lostPrompt(suite)
    const forged: LeaderboardFile = structuredClone(board)
    const forgedSuite = forged.suites[suite.id] as SuiteBoard
    forgedSuite.models = forgedSuite.models.map(model => (model.project === 'baseline' ? { ...model, name: `baseline ${hostile}` } : model))
    const data = loadReportData(resultsDir, forged)
    const run = data.suites[suite.id]?.baseline?.[taskId]?.runs[0]
    if (!run?.transcript || !run.checks[0]) {
      throw new Error('the report data has no transcript or check for the baseline prompt')
    }
    run.checks[0].message = hostile
    run.transcript.messages.push({ role: 'assistant', content: hostile, calls: [{ name: hostile, arguments: hostile }] })
    const dir = mkdtempSync(join(tmpdir(), 'milo-hostile-'))
    writeFileSync(join(dir, 'leaderboard.html'), renderHtml(forged, data))
    problems.length = 0
    const page = await open(pathToFileURL(join(dir, 'leaderboard.html')).href)
    await drillInto(page, suite.id, 'baseline', category, taskId)
    const first = page.locator(`section#suite-${suite.id} details.task[data-task="${taskId}"] details.run`).first()
    if (await first.getAttribute('open') === null) {
      await first.locator('summary').click()
    }
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined')
    expect(await page.locator('img').count()).toBe(0)
    expect(await page.locator(`section#suite-${suite.id} table.leaderboard td.model .name`).allTextContents()).toContain(`baseline ${hostile}`)
    expect(await first.locator('ul.checks li .message').first().textContent()).toBe(hostile)
    expect(await first.locator('ol.messages li.role-assistant pre').last().textContent()).toBe(hostile)
    expect(problems).toEqual([])
    await page.close()
  })
})

describe('the page\'s pure parts', () => {
  const model = (project: string, where: ModelResult['where'], score: number, latency: number, rank: number | null): ModelResult =>
    ({ project, name: project.toUpperCase(), where, score, percent: 100 * score / 60, avgLatencyMs: latency, rank, categories: { chains: score / 20 - 0.5, single: 3 } }) as unknown as ModelResult
  const seedBoard = (models: ModelResult[]): SuiteBoard => ({
    id: 'classic', title: 'Classic', version: '1', hash: 'h', aggregate: 'sum', max: 60, taskCount: 20, maxPerTask: 3,
    categories: [{ id: 'single', title: 'Single tool' }, { id: 'chains', title: 'Multi-step chains' }], models,
  })

  it('finds the seed\'s kind of findings: a tie at the top, the fastest model\'s rank, best local and cloud, the hardest category', () => {
    expect(findings(seedBoard([model('qwen', 'local', 58, 2600, 1), model('opus', 'cloud', 58, 2600, 1), model('gpt', 'cloud', 55, 1200, 3)]))).toEqual([
      'QWEN and OPUS tie for first at 58.0/60 (96.7%).',
      'Fastest per call: GPT at 1.2s, rank 3 with 55.0/60 (91.7%).',
      'Best local: QWEN, 58.0/60 (96.7%) at 2.6s; best cloud: OPUS, 58.0/60 (96.7%) at 2.6s.',
      'Hardest category: Multi-step chains, mean 2.35 of 3 across 3 ranked models.',
    ])
  })

  it('names every tied model or category: fastest, best local and cloud, hardest (ties as the page prints them)', () => {
    const tied = (project: string, where: ModelResult['where'], score: number, latency: number, rank: number, chains: number): ModelResult => ({ ...model(project, where, score, latency, rank), categories: { chains, single: 2.5 } })
    expect(findings(seedBoard([
      tied('qwen', 'local', 58, 1200, 1, 2.5),
      tied('llama', 'local', 58, 1240, 1, 2.5),
      tied('opus', 'cloud', 55, 1210, 3, 2.5),
      tied('gpt', 'cloud', 55, 2000, 3, 2.5),
    ]))).toEqual([
      'QWEN and LLAMA tie for first at 58.0/60 (96.7%).',
      'Fastest per call: QWEN, LLAMA and OPUS tie at 1.2s; QWEN ranks first, LLAMA ranks first, OPUS is rank 3 with 55.0/60 (91.7%).',
      'Best local (tied): QWEN, 58.0/60 (96.7%) at 1.2s and LLAMA, 58.0/60 (96.7%) at 1.2s; best cloud (tied): OPUS, 55.0/60 (91.7%) at 1.2s and GPT, 55.0/60 (91.7%) at 2.0s.',
      'No category is hardest: every one averages 2.50 of 3 across 4 ranked models.',
    ])
    const three = { ...seedBoard([tied('qwen', 'local', 58, 1200, 1, 1.5)]), categories: [{ id: 'single', title: 'Single tool' }, { id: 'chains', title: 'Multi-step chains' }, { id: 'errors', title: 'Error recovery' }] }
    three.models = [{ ...(three.models[0] as ModelResult), categories: { single: 3, chains: 1.5, errors: 1.504 } }]
    expect(findings(three).at(-1)).toBe('Hardest categories (tied): Multi-step chains and Error recovery, mean 1.50 of 3 across 1 ranked model.')
  })

  it('keeps the embedded data under its budget: full-score transcripts go first, then all', () => {
    const transcript = { messages: [{ role: 'user' as const, content: 'x'.repeat(1000) }], toolCalls: [], finalText: null, steps: [] }
    const run = (score: number): RunView => ({ repeat: 0, score, maxScore: 3, endReason: 'final', latencyMs: 1, calls: 1, toolCalls: 0, retries: 0, usage: { inputTokens: 1, outputTokens: 1 }, checks: [], transcript })
    const data: ReportData = { suites: { classic: { m: { a: { runId: 'r', runs: [run(3)] }, b: { runId: 'r', runs: [run(1)] } } } } }
    expect(fitBudget(data, 10_000)).toBe(data)
    const failing = fitBudget(data, 1800)
    expect(failing.suites.classic?.m?.a?.runs[0]?.transcript).toBeUndefined()
    expect(failing.suites.classic?.m?.b?.runs[0]?.transcript).toBeDefined()
    expect(failing.note).toMatch(/full-score runs are left out/)
    const none = fitBudget(data, 500)
    expect(none.suites.classic?.m?.b?.runs[0]?.transcript).toBeUndefined()
    expect(none.suites.classic?.m?.b?.runs[0]?.score).toBe(1)
  })

  it('shows a prompt\'s run scores in the drill-down with their range when the runs disagree', () => {
    const suite = suiteBoards()[0] as SuiteBoard
    const baseline = structuredClone(suite.models.find(model => model.project === 'baseline') as ModelResult)
    const [taskId, task] = Object.entries(baseline.tasks)[0] as [string, ModelResult['tasks'][string]]
    baseline.tasks = { [taskId]: { ...task, runs: [3, 1, 2], score: 2, spread: { min: 1, max: 3, sd: 0.816497 } } }
    const html = renderHtml({ ...board, suites: { [suite.id]: { ...suite, models: [baseline] } } }, { suites: {} })
    expect(html).toContain('<span class="muted runs-list">runs 3.00 · 1.00 · 2.00 (range 2.00)</span>')
  })

  it('escapes markup and keeps JSON from closing its script element', () => {
    expect(escapeHtml('<a href="x">\'&\'</a>')).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;')
    expect(scriptJson({ text: '</script><!--' })).toBe('{"text":"\\u003c/script>\\u003c!--"}')
    expect(JSON.parse(scriptJson({ text: '</script>' }))).toEqual({ text: '</script>' })
  })
})
