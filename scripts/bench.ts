// npm run bench [-- --runs N] [-- --json] [-- --only shipper]: the numbers that matter for a Lambda that wakes up on
// ECS events. Bundle size and cold import time drive cold-start latency (and so how late the
// first notification is); decide() throughput says how much headroom the pure core has.
// Exit code 1 when a target fails, so CI can run it. `--only shipper` runs the log shipper's lines
// alone (throughput, compression, memory), for iterating on the shipper.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { validateConfig } from '../shared/config/validate.js';
import { decide } from '../shared/decide/decide.js';
import { parseEvent, type Signal } from '../shared/intake/index.js';
import { benchShipper, shipperLines } from './bench/shipper.js';

const SIZE_TARGET_KB = 900;
const shipperHeading = (node: { version: string }) =>
  `log shipper: real-shaped ECS batches, CPU time, mean over runs (collections included), median of 3 fresh processes per kind on ${node.version}; floor = base64 + gunzip + JSON.parse of the envelope`;
const RATIO_TARGET = 2.5;
const root = fileURLToPath(new URL('..', import.meta.url));

interface FunctionResult {
  name: string;
  bundleBytes: number;
  bundleKB: number;
  sizePass: boolean;
  importMedianMs: number | null;
  bareMedianMs: number | null;
  processMedianMs: number | null;
  ratio: number | null;
  importPass: boolean;
  importError?: string;
}

interface Throughput {
  signals: number;
  decidePerSecond: number;
  parseDecidePerSecond: number;
}

const PARTS = ['shipper'] as const;

function parseArgs(argv: string[]): { runs: number; json: boolean; only?: (typeof PARTS)[number] } {
  const at = argv.indexOf('--runs');
  const runs = at === -1 ? 15 : Number(argv[at + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a positive integer, got '${argv[at + 1] ?? ''}'`);
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt === -1 ? undefined : argv[onlyAt + 1];
  if (only !== undefined && !PARTS.includes(only as (typeof PARTS)[number])) throw new Error(`--only takes one of ${PARTS.join(', ')}, got '${only}'`);
  return { runs, json: argv.includes('--json'), ...(only ? { only: only as (typeof PARTS)[number] } : {}) };
}

// Lambda runs Node 22; measure imports there when scripts/node22.sh can provide it.
function pickNode(): { path: string; version: string } {
  const found = spawnSync('bash', [join(root, 'scripts/node22.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const candidate = found.status === 0 ? found.stdout.trim() : '';
  const path = candidate && existsSync(candidate) ? candidate : process.execPath;
  return { path, version: spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim() };
}

// Builds with the deployed options (build/esbuild-options.cjs), so the size is the shipped size:
// the entry plus every chunk (code split off for import() on demand), source maps left out.
async function bundle(handler: string, outdir: string): Promise<{ entry: string; bytes: number }> {
  const { esbuildOptions } = createRequire(import.meta.url)('../build/esbuild-options.cjs') as { esbuildOptions: () => BuildOptions };
  const result = await build({ ...esbuildOptions(), entryPoints: [handler], outdir, write: true, metafile: true });
  // The metafile lists what esbuild wrote, with paths relative to the working directory.
  const outputs = Object.entries(result.metafile.outputs).filter(([p]) => p.endsWith('.mjs'));
  // Chunks split off at import() are entry points too; the handler's output is the one built from it.
  const entry = outputs.find(([, o]) => o.entryPoint && resolve(o.entryPoint) === resolve(handler))?.[0];
  if (!entry) throw new Error(`esbuild wrote no entry .mjs for ${handler}`);
  return { entry: resolve(entry), bytes: outputs.reduce((sum, [p]) => sum + statSync(resolve(p)).size, 0) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// A minimal, fixed environment: the handler reads these at import time, and the caller's own
// NODE_OPTIONS or AWS_* settings must not change what is measured.
const childEnv = {
  PATH: process.env.PATH ?? '',
  STATE_TABLE: 'bench',
  NOTIFY_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench',
  TIMER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-timers',
  REMEDIATE_TIMER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-remediate-timers',
  STAGE: 'bench',
  SHIP_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:ecs-autopilot-bench-ship',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'y',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Spawn-to-exit wall time of one fresh process, and what it printed. */
function timeProcess(node: string, args: string[]): { ms: number; status: number | null; stdout: string; stderr: string } {
  const start = process.hrtime.bigint();
  const child = spawnSync(node, args, { env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, status: child.status, stdout: child.stdout, stderr: child.stderr };
}

interface ColdImport {
  /** The import itself, timed inside a fresh process: what a cold start adds to Node's own start-up. */
  importMs: number;
  /** A fresh `node -e 0`, spawn to exit: Node's own start-up. */
  bareMs: number;
  /** A fresh process that imports the bundle, spawn to exit. */
  processMs: number;
}

// Bare and bundle runs alternate so that machine noise (other processes, CPU frequency) lands on
// both samples alike and the ratio stays meaningful on a busy machine.
function coldImport(node: string, bundlePath: string, runs: number): ColdImport | { error: string } {
  const bare = ['-e', '0'];
  const url = JSON.stringify(pathToFileURL(bundlePath).href);
  const load = ['--input-type=module', '-e', `const t = process.hrtime.bigint(); await import(${url}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`];
  // One untimed run of each first: it surfaces import failures early and warms the file cache.
  timeProcess(node, bare);
  const first = timeProcess(node, load);
  if (first.status !== 0) return { error: `import exited with ${first.status}:\n${first.stderr}` };
  const bareMs: number[] = [];
  const importMs: number[] = [];
  const processMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    bareMs.push(timeProcess(node, bare).ms);
    const run = timeProcess(node, load);
    if (run.status !== 0) return { error: `import exited with ${run.status}:\n${run.stderr}` };
    importMs.push(Number(run.stdout));
    processMs.push(run.ms);
  }
  return { importMs: median(importMs), bareMs: median(bareMs), processMs: median(processMs) };
}

/** Calls fn over and over for about `ms`, after a short warm-up so the JIT has settled; returns calls per second. */
function perSecond(fn: () => number, callsPerPass: number, ms = 1000): number {
  let sink = 0; // consumed below so the optimiser cannot drop the work
  const loop = (budgetMs: number): number => {
    const start = process.hrtime.bigint();
    const end = start + BigInt(budgetMs * 1e6);
    let passes = 0;
    let now = start;
    while (now < end) {
      sink += fn();
      passes++;
      now = process.hrtime.bigint();
    }
    return (passes * callsPerPass) / (Number(now - start) / 1e9);
  };
  loop(200);
  const rate = loop(ms);
  if (sink < 0) throw new Error('unreachable');
  return rate;
}

function throughput(): Throughput {
  const dir = join(root, 'test/fixtures/events');
  const raws: unknown[] = [];
  const signals: Signal[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const raw: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const intake = parseEvent(raw);
    if (intake.type !== 'signal') continue;
    // Both lines use the same inputs, so parse+decide minus decide is the cost of intake.
    raws.push(raw);
    signals.push(intake.signal);
  }
  const config = validateConfig({}, 'bench');
  const now = new Date();
  const decideAll = (): number => {
    let n = 0;
    for (const signal of signals) n += decide(signal, {}, config, now).notifications.length;
    return n;
  };
  const parseDecideAll = (): number => {
    let n = 0;
    for (const raw of raws) {
      const intake = parseEvent(raw);
      if (intake.type === 'signal') n += decide(intake.signal, {}, config, now).notifications.length;
    }
    return n;
  };
  return { signals: signals.length, decidePerSecond: perSecond(decideAll, signals.length), parseDecidePerSecond: perSecond(parseDecideAll, raws.length) };
}

async function main(): Promise<number> {
  const { runs, json, only } = parseArgs(process.argv.slice(2));
  if (only === 'shipper') return shipperOnly(runs, json);
  const node = pickNode();
  const names = readdirSync(join(root, 'functions'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'functions', d.name, 'handler.ts')))
    .map((d) => d.name)
    .sort();

  const functions: FunctionResult[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'ecs-autopilot-bench-'));
  try {
    for (const name of names) {
      const { entry: bundlePath, bytes: bundleBytes } = await bundle(join(root, 'functions', name, 'handler.ts'), join(tmp, name));
      const cold = coldImport(node.path, bundlePath, runs);
      const ok = !('error' in cold);
      const ratio = ok ? cold.importMs / cold.bareMs : null;
      functions.push({
        name,
        bundleBytes,
        bundleKB: bundleBytes / 1024,
        sizePass: bundleBytes / 1024 <= SIZE_TARGET_KB,
        importMedianMs: ok ? cold.importMs : null,
        bareMedianMs: ok ? cold.bareMs : null,
        processMedianMs: ok ? cold.processMs : null,
        ratio,
        importPass: ratio !== null && ratio <= RATIO_TARGET,
        ...(ok ? {} : { importError: cold.error }),
      });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const tp = throughput();
  const shipper = await benchShipper(runs, node.path);
  const pass = functions.every((f) => f.sizePass && f.importPass) && shipper.pass;

  if (json) {
    console.log(JSON.stringify({ node, runs, targets: { bundleKB: SIZE_TARGET_KB, importRatio: RATIO_TARGET }, functions, throughput: { ...tp, node: process.version }, shipper, pass }));
  } else {
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const rows: string[][] = [['function', 'measure', 'value', 'target', 'result']];
    for (const f of functions) {
      rows.push([f.name, 'bundle size', `${f.bundleKB.toFixed(1)} KB`, `<= ${SIZE_TARGET_KB} KB`, verdict(f.sizePass)]);
      const cold = f.ratio === null ? 'import failed' : `${f.importMedianMs!.toFixed(1)} ms / bare node -e 0 ${f.bareMedianMs!.toFixed(1)} ms = ${f.ratio.toFixed(2)}x`;
      rows.push([f.name, 'cold import', cold, `<= ${RATIO_TARGET}x`, verdict(f.importPass)]);
      if (f.processMedianMs !== null) rows.push([f.name, 'cold process', `${f.processMedianMs.toFixed(1)} ms (start-up + import, spawn to exit)`, '-', '-']);
    }
    const rate = (n: number) => `${Math.round(n).toLocaleString('en-US')} signals/s`;
    rows.push(['-', 'decide()', rate(tp.decidePerSecond), '-', '-']);
    rows.push(['-', 'parse+decide', rate(tp.parseDecidePerSecond), '-', '-']);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    console.log(`cold import: ${node.path} (${node.version}), median of ${runs} processes each`);
    console.log(`throughput: ${tp.signals} fixture signals, in-process on ${process.version}\n`);
    for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    for (const f of functions) if (f.importError) console.log(`\n${f.name}: ${f.importError}`);
    console.log(`\n${shipperHeading(node)}`);
    for (const line of shipperLines(shipper)) console.log(line);
    console.log(`\nbench: ${verdict(pass)}`);
  }
  return pass ? 0 : 1;
}

async function shipperOnly(runs: number, json: boolean): Promise<number> {
  const node = pickNode();
  const shipper = await benchShipper(runs, node.path);
  if (json) console.log(JSON.stringify({ node, runs, shipper, pass: shipper.pass }));
  else {
    console.log(shipperHeading(node));
    for (const line of shipperLines(shipper)) console.log(line);
    console.log(`\nbench (shipper only): ${shipper.pass ? 'PASS' : 'FAIL'}`);
  }
  return shipper.pass ? 0 : 1;
}

process.exitCode = await main();
