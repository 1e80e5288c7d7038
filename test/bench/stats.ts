/** Small measurement helpers of the benchmark. */

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
