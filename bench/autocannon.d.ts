/** The part of autocannon's programmatic API the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    type Options = {
      url: string;
      connections?: number;
      duration?: number;
      headers?: Record<string, string>;
      /** Paths each connection asks for in turn, round and round (instead of the url's own path). */
      requests?: { path: string }[];
      /** Each response body it rejects counts as a mismatch. */
      verifyBody?: (body: string) => boolean;
    };
    type Histogram = { average: number; mean: number; p50: number; p99: number; max: number };
    type Result = {
      requests: Histogram & { total: number };
      latency: Histogram;
      errors: number;
      timeouts: number;
      non2xx: number;
      mismatches: number;
      duration: number;
    };
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
