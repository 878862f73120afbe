import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Results } from '../../reports/results-schema.js'
import { analyseRun, writeReports } from '../../reports/write-reports.js'
import { writeSyntheticRun } from '../helpers/synthetic-run.js'

// Debian's chromium; .ci/run installs it (apt-get install -y chromium).
const executablePath = '/usr/bin/chromium'
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

let dir: string
let browser: Browser
let results: Results
let htmlUrl: string

beforeAll(async () => {
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: install Debian's chromium (apt-get install -y chromium)`)
  dir = await mkdtemp(path.join(os.tmpdir(), 'bonbench-html-'))
  await writeSyntheticRun(dir, { prompts: 16, poolSize: 8, grid: [1, 2, 4, 8], temperatures: [0.7, 1], seeds: [0, 1], bootstrap: 20, trainSteps: 8 })
  await writeReports(await analyseRun(dir, { bootstrap: 200 }), ['json', 'html'])
  results = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as Results
  htmlUrl = pathToFileURL(path.join(dir, 'report.html')).href
  browser = await chromium.launch({ executablePath, args })
})

afterAll(async () => {
  await browser?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('report.html in Chromium', () => {
  it('loads without console errors or any network request, and every chart shows exactly the points results.json holds', async () => {
    const page = await browser.newPage()
    const problems: string[] = []
    const requests: string[] = []
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`)
    })
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`))
    page.on('request', (request) => requests.push(request.url()))
    await page.goto(htmlUrl, { waitUntil: 'load' })
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 })

    expect(problems).toEqual([])
    expect(requests.filter((url) => url !== htmlUrl && !url.startsWith('data:'))).toEqual([])

    const drawn = await page.evaluate(() => {
      const w = window as unknown as {
        Chart: { getChart(c: HTMLCanvasElement): { data: { datasets: Array<{ label: string; data: Array<{ x: number; y: number }> }> } } | undefined }
      }
      return [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart-id]')].map((canvas) => {
        const chart = w.Chart.getChart(canvas)
        return {
          id: canvas.dataset.chartId!,
          visible: canvas.getBoundingClientRect().height > 0,
          datasets: chart ? chart.data.datasets.map((d) => ({ label: d.label, points: d.data.map((p) => [p.x, p.y]) })) : null,
        }
      })
    })
    expect(results.charts.length).toBeGreaterThanOrEqual(5)
    expect(drawn.map((d) => d.id)).toEqual(results.charts.map((c) => c.id))
    for (const chart of results.charts) {
      const shown = drawn.find((d) => d.id === chart.id)!
      expect(shown.visible, chart.id).toBe(true)
      expect(shown.datasets, chart.id).not.toBeNull()
      expect(shown.datasets!.map((d) => d.label)).toEqual(chart.series.map((s) => s.label))
      expect(
        shown.datasets!.map((d) => d.points.length),
        chart.id,
      ).toEqual(chart.series.map((s) => s.points.length))
      expect(
        shown.datasets!.map((d) => d.points),
        chart.id,
      ).toEqual(chart.series.map((s) => s.points.map((p) => [p.x, p.y])))
    }
    const kinds = new Set(results.charts.map((c) => c.kind))
    expect([...kinds].sort()).toEqual(['bon-curve', 'co-scaling', 'difficulty', 'pass-curve', 'training'])
    // Tooltips: a rate as a percentage, a training loss as the value it is (a loss of 0.5 is not 50%).
    const tooltips = await page.evaluate(() => {
      type Label = (ctx: { raw: Record<string, number>; dataset: { label: string } }) => string
      const w = window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { options: { plugins: { tooltip: { callbacks: { label: Label } } } } } } }
      const label = (id: string) =>
        w.Chart.getChart(document.querySelector<HTMLCanvasElement>(`canvas[data-chart-id="${id}"]`)!).options.plugins.tooltip.callbacks.label
      const point = { raw: { x: 3, y: 0.5, low: 0.25, high: 0.75 }, dataset: { label: 's' } }
      return {
        loss: label('training-loss')(point),
        rate: label(document.querySelector<HTMLCanvasElement>('canvas[data-chart-id^="pass"]')!.dataset.chartId!)(point),
      }
    })
    expect(tooltips.loss).toBe('s: (3, 0.5) CI 0.25–0.75')
    expect(tooltips.rate).toBe('s: (3, 50.0%) CI 25.0–75.0%')
    // the results tables, metrics and majority vote (as report.md): one row per seed-pooled group in each
    expect(await page.locator('table.results tbody tr').count()).toBe(2 * results.groups.length)
    expect(await page.locator('table.results thead th', { hasText: 'maj@1' }).count()).toBeGreaterThan(0)
    await page.close()
  })

  it('browses pools: one row per sample, the verifier pick and the correct ones marked', async () => {
    const page = await browser.newPage()
    await page.goto(htmlUrl)
    await page.waitForSelector('body[data-ready="true"]')
    const cellOptions = await page.locator('#browser-cell option').count()
    expect(cellOptions).toBe(results.cells.length)
    await page.selectOption('#browser-cell', '2')
    await page.selectOption('#browser-prompt', '3')
    const rows = page.locator('#browser-table tbody tr')
    expect(await rows.count()).toBe(8)
    const pool = await page.evaluate(() =>
      [...document.querySelectorAll('#browser-table tbody tr')].map((tr) => ({
        picked: tr.classList.contains('picked'),
        correct: tr.classList.contains('correct'),
        reward: Number(tr.children[2]!.textContent),
        score: Number(tr.children[3]!.textContent),
        text: tr.querySelector('pre')!.textContent!,
      })),
    )
    const top = Math.max(...pool.map((s) => s.score))
    expect(pool.filter((s) => s.picked).every((s) => s.score === top)).toBe(true)
    expect(pool.some((s) => s.picked)).toBe(true)
    for (const s of pool) expect(s.correct).toBe(s.reward >= 1)
    // model text is shown as text, never parsed as HTML
    expect(pool[0]!.text).toContain('</script><b>x</b>')
    expect(await page.locator('#browser-table b').count()).toBe(0)
    expect(await page.textContent('#browser-summary')).toContain('math-003')
    await page.close()
  })
})
