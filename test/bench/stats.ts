/** Small measurement helpers of the benchmark. */
import fs from 'node:fs';

/** The q-quantile (0..1) of ascending `sorted` values, nearest rank; 0 for an empty list. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/**
 * Peak resident memory in MB: RSS sampled every 100 ms, and the kernel's own high-water mark
 * (`resourceUsage().maxRSS`, which also catches spikes between samples); the larger is reported.
 */
export function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      const kernelPeak = process.resourceUsage().maxRSS * 1024;
      return Math.max(peak, kernelPeak) / (1024 * 1024);
    },
  };
}

/**
 * CPU seconds of the main thread (utime + stime of /proc/self/task/<pid>/stat, in clock ticks of 1/100 s), or
 * null off Linux. The rest of `process.cpuUsage()` is the other threads: delivery workers, GC, libuv.
 */
export function mainThreadCpuSeconds(): number | null {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
