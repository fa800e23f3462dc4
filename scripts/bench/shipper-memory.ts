// Peak memory of shipping one batch, in a fresh process started with --expose-gc. What is
// measured is live memory: V8 heap in use plus buffers (the record lines live outside the heap),
// after a full GC, at each stage (decoded; after each slice is built and chunked), over what the
// process held once the event was read, as Lambda holds it. Garbage that a GC would reclaim is not
// counted; the resident set's high-water mark, which counts it, is reported beside it.
import { readFileSync } from 'node:fs';
import { benchRules, ship } from './shipper.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const event: unknown = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const rules = benchRules();
const live = () => {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};
const before = live();
const rssBefore = process.memoryUsage().rss;
let peak = 0;
const records = ship(event, rules, () => {}, () => {
  peak = Math.max(peak, live() - before);
});
const rssPeakBytes = process.resourceUsage().maxRSS * 1024 - rssBefore;
process.stdout.write(JSON.stringify({ peakBytes: peak, rssPeakBytes, records }));
