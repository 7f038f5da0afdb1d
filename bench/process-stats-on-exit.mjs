// Preloaded (node --import) into a process a benchmark measures: on exit, writes to the file named by
// UNMASK_BENCH_STATS_FILE the process's peak resident set (getrusage's ru_maxrss, KiB) and the time its garbage
// collector took (ms, from the performance timeline).
import { writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';

const file = process.env.UNMASK_BENCH_STATS_FILE;
if (file) {
  let gcMs = 0;
  const add = (entries) => entries.forEach((entry) => (gcMs += entry.duration));
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  process.on('exit', () => {
    add(observer.takeRecords());
    writeFileSync(file, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, gcMs }));
  });
}
