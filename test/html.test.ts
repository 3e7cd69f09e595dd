// The HTML report in a real browser: the benchmark (oracle and baseline) runs into a temporary results folder, and
// Chromium (the npm package's, see support/chromium.ts), driven by playwright-core, opens the leaderboard.html it wrote: the numbers on the page must be
// leaderboard.json's, sorting and the drill-down must work, nothing may leave the page, and model output stays text.

import type { BrowserContext, Page } from 'playwright-core'
import type { ReportData, RunView } from '../reporters/html.ts'
import type { LeaderboardFile, ModelResult, RunRecord, SuiteBoard } from '../src/types.ts'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { suites } from '../fixtures/suites.ts'
import { escapeHtml, findings, fitBudget, loadReportData, renderHtml, scriptJson } from '../reporters/html.ts'
import { formatLatency, formatScore } from '../reporters/tables.ts'
import { launchChromium } from './support/chromium.ts'
import { runBench } from './support/run-bench.ts'

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
  const run = await runBench(['--project', 'oracle', '--project', 'baseline'])
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
      const points = await page.locator(`section#suite-${suite.id} svg.scatter g.point`).evaluateAll(gs => gs.map((g) => {
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
    const byPercent = [...suite.models].sort((a, b) => a.percent - b.percent).map(model => model.project)
    await table.locator('th', { hasText: '%' }).getByRole('button').click()
    expect(await order()).toEqual(byPercent)
    expect(await table.locator('th', { hasText: '%' }).getAttribute('aria-sort')).toBe('ascending')
    await table.locator('th', { hasText: '%' }).getByRole('button').click()
    expect(await order()).toEqual([...byPercent].reverse())
    expect(await table.locator('th', { hasText: '%' }).getAttribute('aria-sort')).toBe('descending')
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

  it('reads on a phone: nothing but the wide tables scrolls sideways', async () => {
    const page = await open(pageURL, { width: 390, height: 844 })
    // evaluated in the page, where `document` exists (this file is type-checked without the DOM library)
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'))
    expect(overflow).toBeLessThanOrEqual(0)
    const svg = await page.locator('svg.scatter').first().boundingBox()
    expect(svg?.width).toBeLessThanOrEqual(390)
    await page.screenshot({ path: join(resultsDir, 'leaderboard-phone.png'), fullPage: false })
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
    // The capture is the table's box (give or take the pixel a fractional edge rounds to).
    expect(Math.abs(tableImage.width - (box?.width ?? 0))).toBeLessThanOrEqual(1)
    expect(Math.abs(tableImage.height - (box?.height ?? 0))).toBeLessThanOrEqual(1)
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

  it('keeps the embedded data under its budget: full-score transcripts go first, then all', () => {
    const transcript = { messages: [{ role: 'user' as const, content: 'x'.repeat(1000) }], toolCalls: [], finalText: null, steps: [] }
    const run = (score: number): RunView => ({ repeat: 0, score, maxScore: 3, endReason: 'final', latencyMs: 1, calls: 1, toolCalls: 0, retries: 0, checks: [], transcript })
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

  it('escapes markup and keeps JSON from closing its script element', () => {
    expect(escapeHtml('<a href="x">\'&\'</a>')).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;')
    expect(scriptJson({ text: '</script><!--' })).toBe('{"text":"\\u003c/script>\\u003c!--"}')
    expect(JSON.parse(scriptJson({ text: '</script>' }))).toEqual({ text: '</script>' })
  })
})
