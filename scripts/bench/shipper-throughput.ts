// CPU time of one kind of run on one batch, the floor or the shipper, in a fresh process of its
// own: `shipper-throughput.ts floor|ship EVENT.json RUNS` prints {"events":N,"times":[ms,...]}.
// scripts/bench/shipper.ts runs it for each kind in turn, three times each, on the same batch.
//
// Why one process per kind: CPU time counts V8's collector threads, and a major collection costs
// 4-5 ms, two to three floors of the ~1 MB batch. When floor and shipper shared a process, a major
// collection brought on by the shipper's promoted records could fall into the floor's runs: one
// bench run in three timed the floor at 4.4 ms instead of 1.9 ms and reported a ratio of 0.74 for
// code whose ratio was 0.33. Forcing a collection between them is no cure: V8 then sizes its next
// limit from the small live set, and the shipper's next runs took 14-28 ms instead of 6 in a
// cascade of major collections. In a process of its own each kind pays for its own garbage,
// at the pace it makes it, and the parent's batch builders (tens of MB of payloads) stay out.
import { readFileSync } from 'node:fs';
import { benchRules, floor, ship, timeRuns } from './shipper.js';

const [kind, file, runsText] = process.argv.slice(2);
if ((kind !== 'floor' && kind !== 'ship') || !file || !runsText) throw new Error('usage: tsx shipper-throughput.ts floor|ship EVENT.json RUNS');
const event = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof floor>[0];
const rules = benchRules();
const run = kind === 'floor' ? async () => floor(event) : () => ship(event, rules);

// Ten warm-up runs (JIT, the heap grown to its working size), then every run timed, the runs that
// pay for a collection included.
for (let i = 0; i < 10; i += 1) await run();
const times = await timeRuns(run, Number(runsText));
process.stdout.write(JSON.stringify({ events: floor(event), times }));
