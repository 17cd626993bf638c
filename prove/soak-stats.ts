import { percentile } from '../bench/measure.ts';

/** The soak's arithmetic: a window of requests, and the trend of memory over time. */

/** Requests due in one stretch of the run (a minute, by default): answered, failed, how fast. */
export class Window {
  readonly latencies: number[] = [];
  errors = 0;
  done = 0;

  constructor(
    readonly from: number,
    readonly to: number,
    readonly size: number,
  ) {}

  answered(latency: number) {
    this.latencies.push(latency);
    this.done += 1;
  }

  failed() {
    this.errors += 1;
    this.done += 1;
  }

  get finished() {
    return this.done === this.size;
  }

  p(p: number) {
    return percentile(this.latencies, p);
  }

  max() {
    return this.latencies.length === 0 ? Number.NaN : this.latencies.reduce((m, v) => Math.max(m, v));
  }
}

/** The least-squares slope of y over x: how fast y grows, per unit of x. NaN for fewer than two points. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  const covariance = points.reduce((s, p) => s + (p.x - meanX) * (p.y - meanY), 0);
  const variance = points.reduce((s, p) => s + (p.x - meanX) ** 2, 0);
  return variance === 0 ? Number.NaN : covariance / variance;
}
