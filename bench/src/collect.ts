// Collects what a run measured and produces the Results that report.ts,
// svg.ts and render-docs.ts read (the shape of bench/results/latest.json).
import os from "node:os";
import type { ColdResult } from "./cold.js";
import type { QueryCount } from "./queries.js";
import { targetsOf } from "./report.js";
import type { Anchors, Results, Row } from "./results.js";
import type { RetentionStorageResult, SweepStudyResult } from "./retention-results.js";
import type { RssResult } from "./rss.js";
import type { StorageResult } from "./storage.js";
import type { ListingResult, RecordCostResult } from "./threads.js";
import type { ThroughputResult } from "./throughput-results.js";

export class ResultsBuilder {
  private readonly started = performance.now();
  private readonly rows: Row[] = [];
  private readonly anchors: Anchors = {};
  private readonly rss: RssResult[] = [];
  private queries: QueryCount[] = [];
  private storage: StorageResult[] = [];
  private readonly listing: ListingResult[] = [];
  private readonly recordCost: RecordCostResult[] = [];
  private readonly retentionStorage: RetentionStorageResult[] = [];
  private sweep: SweepStudyResult | undefined;
  private throughput: ThroughputResult[] = [];
  private cold: ColdResult | undefined;
  private readonly skipped: Results["skipped"] = [];
  private readonly failures: string[] = [];

  constructor(private readonly run: { command: string; quick: boolean; runs: number }) {}

  addRow(row: Row): void {
    this.rows.push(row);
  }

  addAnchors(figures: Anchors): void {
    Object.assign(this.anchors, figures);
  }

  addRss(result: RssResult): void {
    this.rss.push(result);
  }

  setQueries(counts: QueryCount[]): void {
    this.queries = counts;
  }

  setStorage(results: StorageResult[]): void {
    this.storage = results;
  }

  addListing(results: ListingResult[]): void {
    this.listing.push(...results);
  }

  addRecordCost(result: RecordCostResult): void {
    this.recordCost.push(result);
  }

  addRetentionStorage(results: RetentionStorageResult[]): void {
    this.retentionStorage.push(...results);
  }

  setSweep(result: SweepStudyResult): void {
    this.sweep = result;
  }

  setThroughput(results: ThroughputResult[]): void {
    this.throughput = results;
  }

  setCold(result: ColdResult): void {
    this.cold = result;
  }

  /** A backend (or DBOS) that did not answer: the run goes on without it. */
  skip(backend: string, reason: string): void {
    this.skipped.push({ backend, reason });
  }

  /** A case or a backend that threw: the run goes on without it. */
  fail(what: string): void {
    this.failures.push(what);
  }

  build(): Results {
    const results: Results = {
      date: new Date().toISOString(),
      command: this.run.command,
      quick: this.run.quick,
      machine: {
        cpu: os.cpus()[0]?.model ?? "unknown",
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        os: `${os.type()} ${os.release()}`,
        load: os.loadavg().map((x) => Math.round(x * 100) / 100),
      },
      runs: this.run.runs,
      anchors: this.anchors,
      rows: this.rows,
      rss: [...this.rss].sort((a, b) => a.n - b.n),
      queries: this.queries,
      storage: this.storage,
      listing: this.listing,
      recordCost: this.recordCost,
      retentionStorage: this.retentionStorage,
      ...(this.sweep ? { sweep: this.sweep } : {}),
      ...(this.throughput.length ? { throughput: this.throughput } : {}),
      ...(this.cold ? { cold: this.cold } : {}),
      skipped: this.skipped,
      failures: this.failures,
      targets: [],
      durationS: Math.round((performance.now() - this.started) / 1000),
    };
    results.targets = targetsOf(results);
    return results;
  }
}
