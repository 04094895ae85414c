// The ttl sweep on an interval, for a process that has no cron: one sweep
// at a time (the next is scheduled only once the last one ended, so runs
// never overlap), on a timer that does not keep the process alive.
import {
  InvalidArgumentError,
  parseDuration,
  quote,
  StorageUnavailableError,
  type SweepOptions,
  type SweepResult,
  sweepLimit,
} from "@savepoint/core";

/**
 * Options of `PostgresSaver.startSweeper`.
 *
 * @example
 * ```ts
 * const options: SweeperOptions = { everyMs: 60_000, limit: 1_000, onError: (e) => log.warn(e) };
 * ```
 */
export interface SweeperOptions {
  /** Milliseconds between the end of one sweep and the start of the next. */
  everyMs: number;
  /** Threads expired per sweep call (default 1,000); a sweep that reaches it calls again at once. */
  limit?: number;
  /** Called with what each sweep call did. */
  onSweep?: (result: SweepResult) => void;
  /**
   * Called with a sweep's error (the sweeper keeps its schedule). Default:
   * written to `console.error`, so a failing sweeper is never silent.
   */
  onError?: (error: unknown) => void;
}

/**
 * A running sweeper; `stop()` resolves once a sweep under way has ended.
 *
 * @example
 * ```ts
 * const sweeper = saver.startSweeper({ everyMs: 60_000 });
 * await sweeper.stop();
 * ```
 */
export interface Sweeper {
  /** Stops the timer; resolves once a sweep under way has ended. */
  stop(): Promise<void>;
}

/**
 * The sweepers one saver started, so that `close()` stops them.
 *
 * @example
 * ```ts
 * const sweepers = new Sweepers((o) => saver.sweep(o));
 * sweepers.start({ everyMs: 60_000 }, { hasTtl: true, closed: false });
 * await sweepers.stopAll();
 * ```
 */
export class Sweepers {
  private readonly running = new Set<Sweeper>();

  constructor(private readonly sweep: (options: SweepOptions) => Promise<SweepResult>) {}

  /** A new sweeper, refused for a saver without a ttl or one that was closed. */
  start(options: SweeperOptions, saver: { hasTtl: boolean; closed: boolean }): Sweeper {
    if (!saver.hasTtl) {
      throw new InvalidArgumentError(
        "startSweeper: this PostgresSaver has no ttl, so nothing would expire; pass one to the " +
          'constructor: new PostgresSaver(source, { ttl: { idle: "30d" } }).',
      );
    }
    if (saver.closed) {
      throw new StorageUnavailableError(
        "startSweeper: this PostgresSaver was closed; create a new one to keep working.",
      );
    }
    const sweeper = startSweeper(this.sweep, options);
    this.running.add(sweeper);
    return {
      stop: async () => {
        this.running.delete(sweeper);
        await sweeper.stop();
      },
    };
  }

  /** Stops every sweeper, waiting for the sweeps under way. */
  async stopAll(): Promise<void> {
    const all = [...this.running];
    this.running.clear();
    await Promise.all(all.map((sweeper) => sweeper.stop()));
  }
}

/**
 * Calls `sweep` every `options.everyMs` until stopped.
 *
 * @example
 * ```ts
 * const sweeper = startSweeper((o) => saver.sweep(o), { everyMs: 1_000 });
 * ```
 */
export function startSweeper(
  sweep: (options: SweepOptions) => Promise<SweepResult>,
  options: SweeperOptions,
): Sweeper {
  if (options === null || typeof options !== "object") {
    throw new InvalidArgumentError(
      `startSweeper takes options such as { everyMs: 60000 }; got ${quote(options)}.`,
    );
  }
  if (typeof options.everyMs !== "number") {
    throw new InvalidArgumentError(
      `startSweeper's everyMs must be a positive number of milliseconds; got ${quote(options.everyMs)}.`,
    );
  }
  const everyMs = parseDuration(options.everyMs, "startSweeper's everyMs");
  const limit = sweepLimit({ limit: options.limit });
  const report = (error: unknown) => {
    try {
      if (options.onError) options.onError(error);
      else console.error("PostgresSaver sweeper: a sweep failed; retrying on schedule.", error);
    } catch {
      // A failing error handler must not stop the sweeper.
    }
  };
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;

  const run = async () => {
    try {
      let result: SweepResult;
      do {
        result = await sweep({ limit });
        options.onSweep?.(result);
      } while (result.more && !stopped);
    } catch (error) {
      report(error);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().finally(() => {
        running = undefined;
        schedule();
      });
    }, everyMs);
    timer.unref?.();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
