import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Clock } from '#shared/clock.ts';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  what: string;
}

/** A timer that fired: when, and what it was for. */
export interface FiredTimer {
  at: string;
  what: string;
}

/**
 * The local runtime's one clock: real time shifted by an offset (kept in `.casework/clock.json`
 * so a restart keeps the virtual date), or frozen for tests. Every timer of the local system is
 * scheduled here, so `advance` fires them in order, as they would have fired, without waiting.
 */
export class VirtualClock implements Clock {
  private offset = 0;
  private frozenAt: number | null = null;
  private timers: Timer[] = [];
  private seq = 0;
  private ticker: NodeJS.Timeout | undefined;
  private readonly file: string | undefined;
  /** Resolves when the system has finished reacting to the last fired timer. */
  settled: () => Promise<void> = async () => {};

  constructor(options: { file?: string; frozenAt?: Date } = {}) {
    this.file = options.file;
    if (options.frozenAt) this.frozenAt = options.frozenAt.getTime();
    else if (this.file && existsSync(this.file))
      this.offset = JSON.parse(readFileSync(this.file, 'utf8')).offsetMs ?? 0;
    // In real-time mode, timers also fire as real time passes.
    if (this.frozenAt === null) {
      this.ticker = setInterval(() => void this.fireDue(this.nowMs()), 1000);
      this.ticker.unref();
    }
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  private nowMs(): number {
    return this.frozenAt ?? Date.now() + this.offset;
  }

  private moveTo(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt = ms;
    else this.offset = ms - Date.now();
    if (this.file) writeFileSync(this.file, JSON.stringify({ offsetMs: this.offset }));
  }

  /** Runs `fire` when virtual time reaches `at`; answers a cancel function. */
  schedule(at: Date, fire: () => void, what = 'a timer'): () => void {
    const timer = { at: at.getTime(), seq: this.seq++, fire, what };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  private async fireDue(limit: number): Promise<FiredTimer[]> {
    const fired: FiredTimer[] = [];
    for (;;) {
      await this.settled();
      const next = this.timers[0];
      if (!next || next.at > limit) return fired;
      this.timers.shift();
      this.moveTo(next.at);
      next.fire();
      fired.push({ at: new Date(next.at).toISOString(), what: next.what });
    }
  }

  /**
   * Moves time forward, firing every timer on the way in order, each at its own instant; answers
   * the timers fired.
   */
  async advance(ms: number): Promise<FiredTimer[]> {
    if (!(ms >= 0)) throw new RangeError('the clock only moves forward');
    const target = this.nowMs() + ms;
    const fired = await this.fireDue(target);
    this.moveTo(target);
    return [...fired, ...(await this.fireDue(target))];
  }

  /** Sets the clock to an instant: forward fires the timers on the way; back fires nothing. */
  async set(at: Date): Promise<FiredTimer[]> {
    const delta = at.getTime() - this.nowMs();
    if (delta >= 0) return this.advance(delta);
    this.moveTo(at.getTime());
    return [];
  }

  stop(): void {
    clearInterval(this.ticker);
  }
}
