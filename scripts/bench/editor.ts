// Editor benchmark: does a large flow open quickly and stay smooth in the browser?
//
//   npx tsx scripts/bench/editor.ts --base-url http://localhost:3000            # 100 and 1,000 steps
//   npx tsx scripts/bench/editor.ts --base-url http://localhost:3000 --sizes 100,1000,2000
//   npx tsx scripts/bench/editor.ts --base-url … --email me@example.com --password …   # an existing account
//
// Against a running Muninn (production build for figures worth recording: `npm start`). It signs up a
// throwaway account (or signs in with --email/--password), creates one flow per size through the
// API (tRPC `flows.import`, as the signed-in user, so the browser may open it), then in headless
// Chromium (Debian's /usr/bin/chromium, the flags of playwright.config.ts) measures for each flow:
//
//   - open → interactive: from navigation start until the visible steps are drawn and a click on
//     one opens it in the inspector;
//   - frame times while dragging a step and while panning the canvas, sampled with
//     requestAnimationFrame for a few seconds each (p50/p95/max frame ms, frames per second, and
//     main-thread tasks over 50 ms);
//   - how long Tidy up (auto-layout) takes.
//
// Prints a table and writes bench/results/editor.json. The flows are deleted at the end.
// `runEditorBench({ baseUrl })` is the same, for `npm run bench`.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type APIRequestContext, type Browser, type Page } from '@playwright/test';

const root = path.resolve(import.meta.dirname, '../..');

/** As in playwright.config.ts: Debian's Chromium, no sandbox (containers), no GPU. */
const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};
const VIEWPORT = { width: 1280, height: 720 };
/** How long each interaction is sampled. */
const SAMPLE_MS = 3_000;

export interface FrameStats {
  frames: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  fps: number;
  /** Main-thread tasks longer than 50 ms while sampling, and their time beyond 50 ms (total blocking time). */
  longTasks: number;
  blockingMs: number;
}

export interface EditorBenchFlow {
  nodes: number;
  edges: number;
  /** Navigation start → first step drawn. */
  firstNodeMs: number;
  /** Navigation start → visible steps drawn and a click on one shows it in the inspector. */
  interactiveMs: number;
  /** Step elements in the page once open (only what is on screen is rendered). */
  renderedNodes: number;
  pan: FrameStats;
  drag: FrameStats;
  /** Click on Tidy up → the laid-out flow is on the canvas. */
  tidyUpMs: number;
}

export interface EditorBenchResult {
  generatedAt: string;
  baseUrl: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; platform: string; loadAverage: number[] };
  browser: string;
  viewport: typeof VIEWPORT;
  sampleMs: number;
  flows: EditorBenchFlow[];
}

export interface EditorBenchOptions {
  baseUrl: string;
  sizes?: number[];
  /** Sign in with this account instead of signing up a throwaway one. */
  email?: string;
  password?: string;
  /** Where to write the JSON; null to skip. */
  out?: string | null;
  log?: (line: string) => void;
}

// ---------------------------------------------------------------------------------------------
// The flows: layered left to right like real integrations, ~1.2 edges per step.

interface PortableFlow {
  name: string;
  nodes: Array<{ id: string; type: string; label?: string; options: Record<string, unknown>; position: { x: number; y: number } }>;
  edges: Array<{ source: string; target: string }>;
}

/** `size` steps in columns of ten: one manual trigger, then transforms; round(1.2 × size) connections. */
export function benchFlow(size: number): PortableFlow {
  const ROWS = 10;
  const nodes: PortableFlow['nodes'] = [];
  for (let i = 0; i < size; i++) {
    const column = Math.floor(i / ROWS);
    const row = i % ROWS;
    nodes.push({
      id: i === 0 ? 'start' : `step_${i}`,
      type: i === 0 ? 'manual' : 'transform',
      ...(i % 7 === 0 ? { label: `Shape ${i}` } : {}),
      options: i === 0 ? {} : { template: { id: `{{ id }}`, step: i } },
      position: { x: column * 320, y: row * 120 },
    });
  }
  const edges: PortableFlow['edges'] = [];
  const seen = new Set<string>();
  const add = (s: number, t: number) => {
    const key = `${s}>${t}`;
    if (s === t || t === 0 || seen.has(key)) return false;
    seen.add(key);
    edges.push({ source: nodes[s]!.id, target: nodes[t]!.id });
    return true;
  };
  // Every step but the trigger gets one parent in the column before (the trigger's column: the trigger).
  for (let i = 1; i < size; i++) add(i < ROWS ? 0 : i - ROWS, i);
  // Extra connections from the column before, a row off, until there are 1.2 per step.
  const target = Math.round(size * 1.2);
  for (let i = ROWS; i < size && edges.length < target; i += 1) {
    if (i % 5 === 0 || i % 5 === 2) add(Math.floor(i / ROWS - 1) * ROWS + ((i % ROWS) + 1) % ROWS, i);
  }
  for (let i = ROWS; i < size && edges.length < target; i += 1) add(Math.floor(i / ROWS - 1) * ROWS + ((i % ROWS) + 3) % ROWS, i);
  return { name: `Bench: ${size} steps`, nodes, edges };
}

// ---------------------------------------------------------------------------------------------
// API (the app's own tRPC over HTTP, with the session cookie of the browser context)

async function trpc<T>(request: APIRequestContext, baseUrl: string, pathName: string, input: unknown): Promise<T> {
  const res = await request.post(`/api/trpc/${pathName}`, { data: { json: input }, headers: { origin: new URL(baseUrl).origin } });
  if (!res.ok()) throw new Error(`${pathName} failed (${res.status()}): ${(await res.text()).slice(0, 500)}`);
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

async function authenticate(request: APIRequestContext, baseUrl: string, opts: EditorBenchOptions): Promise<void> {
  const headers = { origin: new URL(baseUrl).origin, 'x-forwarded-for': `10.77.${randomBytes(1)[0]}.${randomBytes(1)[0]! % 250}` };
  if (opts.email && opts.password) {
    const res = await request.post('/api/auth/sign-in', { data: { email: opts.email, password: opts.password }, headers });
    if (!res.ok()) throw new Error(`sign-in failed (${res.status()}): ${await res.text()}`);
    return;
  }
  const stamp = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const res = await request.post('/api/auth/sign-up', { data: { email: `bench-${stamp}@example.com`, name: 'Editor bench', password: `Pw-${randomBytes(9).toString('base64url')}-editor` }, headers });
  if (res.status() !== 201) throw new Error(`sign-up failed (${res.status()}): ${await res.text()}. Pass --email and --password of an existing account instead.`);
}

// ---------------------------------------------------------------------------------------------
// Measuring in the page

/** Starts a requestAnimationFrame sampler in the page; `stop()` returns the frame durations. */
async function sampleFrames(page: Page, during: () => Promise<void>): Promise<FrameStats> {
  // Page scripts as text: tsx would wrap functions passed to evaluate() in helpers the page lacks.
  // Each sampler has its own generation, so one still winding down never adds frames to the next.
  await page.evaluate(`(() => {
    const generation = (window.__generation = (window.__generation || 0) + 1);
    window.__frames = [];
    // Main-thread tasks over 50 ms: the page itself being too busy, as opposed to a busy machine.
    window.__longTasks = [];
    window.__observer?.disconnect();
    window.__observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); });
    window.__observer.observe({ type: 'longtask' });
    let last = performance.now();
    const tick = (t) => {
      if (window.__generation !== generation) return;
      window.__frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(tick); });
  })()`);
  const started = Date.now();
  await during();
  const elapsed = Date.now() - started;
  const { frames, longTasks } = (await page.evaluate(
    '(() => { window.__generation += 1; window.__observer.disconnect(); return { frames: window.__frames, longTasks: window.__longTasks }; })()',
  )) as { frames: number[]; longTasks: number[] };
  const sorted = [...frames].sort((a, b) => a - b);
  const pick = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return {
    frames: frames.length,
    p50Ms: round(pick(50)),
    p95Ms: round(pick(95)),
    maxMs: round(sorted.at(-1) ?? NaN),
    fps: round((frames.length / elapsed) * 1000),
    longTasks: longTasks.length,
    blockingMs: Math.round(longTasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0)),
  };
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : n);

/** A point of the canvas with no step on it (panning starts on the empty pane). */
async function emptyPanePoint(page: Page): Promise<{ x: number; y: number }> {
  const point = (await page.evaluate(`(() => {
    const pane = document.querySelector('.react-flow__pane');
    if (!pane) return null;
    const box = pane.getBoundingClientRect();
    for (let y = box.top + 60; y < box.bottom - 120; y += 17) {
      for (let x = box.left + 40; x < box.right - 200; x += 13) {
        const el = document.elementFromPoint(x, y);
        if (el && el.classList.contains('react-flow__pane')) return { x, y };
      }
    }
    return null;
  })()`)) as { x: number; y: number } | null;
  if (!point) throw new Error('no empty spot on the canvas to start panning from');
  return point;
}

/** Moves the mouse from `from` by up to ±`span` px, back and forth, for `ms` (one move per frame or so). */
async function wiggle(page: Page, from: { x: number; y: number }, span: { x: number; y: number }, ms: number) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  const started = Date.now();
  let i = 0;
  while (Date.now() - started < ms) {
    const phase = Math.sin(i / 12);
    await page.mouse.move(from.x + span.x * phase, from.y + span.y * phase);
    i++;
  }
  await page.mouse.up();
}

async function measureFlow(browser: Browser, baseUrl: string, opts: EditorBenchOptions, size: number, log: (s: string) => void): Promise<EditorBenchFlow> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT });
  try {
    await authenticate(context.request, baseUrl, opts);
    const flow = benchFlow(size);
    const { id } = await trpc<{ id: string }>(context.request, baseUrl, 'flows.import', flow);
    try {
      const page = await context.newPage();
      // A warm-up visit, so the figures are not about the first compile or cold caches of the server.
      await page.goto(`/flows/${id}`);
      await page.locator('[data-testid^="canvas-node-"]').first().waitFor({ timeout: 120_000 });

      await page.goto(`/flows/${id}`, { waitUntil: 'commit' });
      await page.locator('[data-testid^="canvas-node-"]').first().waitFor({ timeout: 120_000 });
      const firstNodeMs = (await page.evaluate('performance.now()')) as number;
      // Interactive: the drawn steps stop changing, and clicking one opens it in the inspector.
      let count = -1;
      for (;;) {
        const now = await page.locator('[data-testid^="canvas-node-"]').count();
        if (now === count && now > 0) break;
        count = now;
        await page.waitForTimeout(50);
      }
      const target = page.locator('[data-testid^="canvas-node-"]').nth(Math.floor(count / 2));
      const nodeId = (await target.getAttribute('data-testid'))!.slice('canvas-node-'.length);
      await target.click();
      await page.getByTestId(`inspector-${nodeId}`).waitFor();
      const interactiveMs = (await page.evaluate('performance.now()')) as number;
      const renderedNodes = await page.locator('[data-testid^="canvas-node-"]').count();
      log(`${size} steps: interactive after ${Math.round(interactiveMs)} ms (${renderedNodes} steps drawn)`);

      // Drag the step just clicked (it is on screen), then pan.
      const box = (await page.getByTestId(`canvas-node-${nodeId}`).boundingBox())!;
      const grip = { x: box.x + box.width / 2, y: box.y + 12 };
      const drag = await sampleFrames(page, () => wiggle(page, grip, { x: 160, y: 90 }, SAMPLE_MS));
      log(`${size} steps: dragging p50 ${drag.p50Ms} ms, p95 ${drag.p95Ms} ms, ${drag.fps} fps`);

      const pane = await emptyPanePoint(page);
      const pan = await sampleFrames(page, () => wiggle(page, pane, { x: 300, y: 120 }, SAMPLE_MS));
      log(`${size} steps: panning p50 ${pan.p50Ms} ms, p95 ${pan.p95Ms} ms, ${pan.fps} fps`);

      // Tidy up (auto-layout with dagre): click → the result is on the canvas.
      const tidyStarted = Date.now();
      await page.getByTestId('tidy-button').click();
      await page.getByTestId('toast').filter({ hasText: /Tidied up|already tidy/ }).first().waitFor({ timeout: 120_000 });
      const tidyUpMs = Date.now() - tidyStarted;
      log(`${size} steps: tidy up took ${tidyUpMs} ms`);

      return { nodes: flow.nodes.length, edges: flow.edges.length, firstNodeMs: Math.round(firstNodeMs), interactiveMs: Math.round(interactiveMs), renderedNodes, pan, drag, tidyUpMs };
    } finally {
      // Leave nothing behind (the drag may have left unsaved changes: leaving is fine, nothing is saved).
      await trpc(context.request, baseUrl, 'flows.delete', { id }).catch(() => undefined);
    }
  } finally {
    await context.close();
  }
}

export async function runEditorBench(options: EditorBenchOptions): Promise<EditorBenchResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`[bench:editor] ${line}\n`));
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const sizes = options.sizes ?? [100, 1_000];
  const browser = await chromium.launch({ ...CHROMIUM, headless: true });
  const flows: EditorBenchFlow[] = [];
  try {
    for (const size of sizes) flows.push(await measureFlow(browser, baseUrl, options, size, log));
    const result: EditorBenchResult = {
      generatedAt: new Date().toISOString(),
      baseUrl,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, loadAverage: os.loadavg().map(round) },
      browser: `Chromium ${browser.version()} (headless, software rendering)`,
      viewport: VIEWPORT,
      sampleMs: SAMPLE_MS,
      flows,
    };
    printTable(result, log);
    const out = options.out === undefined ? path.join(root, 'bench/results/editor.json') : options.out;
    if (out) {
      await mkdir(path.dirname(out), { recursive: true });
      await writeFile(out, JSON.stringify(result, null, 2) + '\n');
      log(`wrote ${path.relative(root, out)}`);
    }
    return result;
  } finally {
    await browser.close();
  }
}

function printTable(r: EditorBenchResult, log: (s: string) => void) {
  const rows = [
    ['steps', 'edges', 'first step', 'interactive', 'drawn', 'pan p50/p95', 'pan fps', 'drag p50/p95', 'drag fps', 'long tasks (pan/drag)', 'tidy up'],
    ...r.flows.map((f) => [
      String(f.nodes),
      String(f.edges),
      `${f.firstNodeMs} ms`,
      `${f.interactiveMs} ms`,
      String(f.renderedNodes),
      `${f.pan.p50Ms}/${f.pan.p95Ms} ms`,
      String(f.pan.fps),
      `${f.drag.p50Ms}/${f.drag.p95Ms} ms`,
      String(f.drag.fps),
      `${f.pan.longTasks}/${f.drag.longTasks}`,
      `${f.tidyUpMs} ms`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  log('');
  for (const row of rows) log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
  log('');
}

// Run alone: npx tsx scripts/bench/editor.ts --base-url http://localhost:3000
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string', default: process.env.MUNINN_BASE_URL ?? 'http://localhost:3000' },
      sizes: { type: 'string', default: '100,1000' },
      email: { type: 'string', default: process.env.BENCH_EMAIL },
      password: { type: 'string', default: process.env.BENCH_PASSWORD },
      out: { type: 'string', default: path.join(root, 'bench/results/editor.json') },
    },
  });
  runEditorBench({
    baseUrl: values['base-url']!,
    sizes: values.sizes!.split(',').map((s) => Number(s.trim())).filter((n) => n > 0),
    email: values.email,
    password: values.password,
    out: values.out,
  }).catch((error: unknown) => {
    console.error(`[bench:editor] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
