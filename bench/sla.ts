import dayjs from 'dayjs';
import dayjsBusinessTime from 'dayjs-business-time';
import moment from 'moment';
import 'moment-business-time';
import type { CaseRecord } from '#shared/cases/model.ts';
import { slaStatus } from '#shared/cases/sla.ts';
import { compile } from '#shared/sla/calendar.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { addSpan, parseSpan, spanDue, targetsFor } from '#shared/sla/targets.ts';

/**
 * SLA target computations per second for spans from 1 BH to 30 BD on the emea calendar, against
 * the business-time libraries people use (dayjs-business-time, moment-business-time) and a
 * minute-stepping baseline, on the same inputs; and whether each peer agrees with casework.
 * The peers work in the process's local time, so the caller runs this with TZ=Europe/London.
 */
const SPANS = ['1BH', '4BH', '11BH', '2BD', '10BD', '30BD'];
const calendar = calendarOf('emea');
const holidays = calendar.holidays.filter((h) => !h.closed).map((h) => h.date);

dayjs.extend(dayjsBusinessTime);
const dayjsWithHours = dayjs as unknown as typeof dayjs & {
  setBusinessTime(t: object): void;
  setHolidays(h: string[]): void;
};
const day = [{ start: '08:00:00', end: '19:00:00' }];
dayjsWithHours.setBusinessTime({
  sunday: null,
  monday: day,
  tuesday: day,
  wednesday: day,
  thursday: day,
  friday: day,
  saturday: null,
});
dayjsWithHours.setHolidays(holidays);
const hours = ['08:00:00', '19:00:00'];
moment.updateLocale('en', {
  workinghours: { 0: null, 1: hours, 2: hours, 3: hours, 4: hours, 5: hours, 6: null },
  holidays,
} as never);

type Peer = (from: Date, span: string) => number;

/**
 * The ceiling: a sketch of the least a prefix-sum lookup can do (interval ends and running totals
 * of open time in two arrays, two binary searches, nothing allocated, BH only), over 2026.
 */
function ceilingSketch(): Peer {
  const cal = compile(calendar);
  const from: number[] = [];
  const to: number[] = [];
  for (let date = '2025-12-01'; date < '2027-12-31'; date = cal.nextDate(date))
    for (const span of cal.day(date).open) {
      from.push(span.from);
      to.push(span.to);
    }
  const ends = Float64Array.from(to);
  const starts = Float64Array.from(from);
  const totals = new Float64Array(ends.length);
  for (let i = 0, sum = 0; i < ends.length; i++)
    totals[i] = sum += (ends[i] as number) - (starts[i] as number);
  const first = (values: Float64Array, x: number, orEqual: boolean) => {
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = values[mid] as number;
      if (v > x || (orEqual && v === x)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return (at, span) => {
    const t = at.getTime();
    const i = first(ends, t, false);
    const s = Math.max(starts[i] as number, t);
    const target = (totals[i] as number) - ((ends[i] as number) - s) + parseSpan(span).amount * 3_600_000;
    const j = first(totals, target, true);
    return (ends[j] as number) - ((totals[j] as number) - target);
  };
}

const peers: Record<string, Peer> = {
  casework: (from, span) => addSpan(calendar, from, span).due.getTime(),
  'dayjs-business-time': (from, span) => {
    const { amount, unit } = parseSpan(span);
    // biome-ignore lint/suspicious/noExplicitAny: the plugin's methods are not in dayjs's types
    const d = dayjs(from) as any;
    return (unit === 'BD' ? d.addBusinessDays(amount) : d.addBusinessHours(amount)).valueOf();
  },
  'moment-business-time': (from, span) => {
    const { amount, unit } = parseSpan(span);
    // biome-ignore lint/suspicious/noExplicitAny: the plugin's methods are not in moment's types
    return (moment(from) as any).addWorkingTime(amount, unit === 'BD' ? 'days' : 'hours').valueOf();
  },
  'minute stepping': (from, span) => {
    const { amount, unit } = parseSpan(span);
    const cal = compile(calendar);
    const isOpen = (t: number) => cal.day(cal.dateOf(t)).open.some((s) => s.from <= t && t < s.to);
    let t = Math.ceil(from.getTime() / 60_000) * 60_000;
    while (!isOpen(t)) t += 60_000;
    if (unit === 'BH') {
      for (let left = amount * 60; left > 0; t += 60_000) if (isOpen(t)) left--;
      return t;
    }
    const local = t - (cal.day(cal.dateOf(t)).open[0]?.from ?? t);
    let date = cal.dateOf(t);
    for (let left = amount; left > 0; ) {
      date = cal.nextDate(date);
      if (cal.day(date).open.length) left--;
    }
    return (cal.day(date).open[0]?.from ?? 0) + local;
  },
};

/**
 * Deterministic inputs over 2026: mostly instants on the hour or half hour in open hours (closings
 * included), a fifth anywhere in the week (evenings, weekends, holidays).
 */
function inputs(n: number): Date[] {
  const out: Date[] = [];
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  while (out.length < n) {
    const d = new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 360) * 86_400_000);
    if (random() < 0.2) {
      out.push(new Date(d.getTime() + Math.floor(random() * 48) * 1_800_000));
      continue;
    }
    const wd = d.getUTCDay();
    if (wd === 0 || wd === 6) continue;
    const at = compile(calendar).dueAfterOpenTime(d.getTime(), Math.floor(random() * 22) * 1_800_000);
    out.push(new Date(at));
  }
  return out;
}

function perSecond(fn: Peer, span: string, sample: Date[], budgetMs: number): number {
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    for (const from of sample) fn(from, span);
    count += sample.length;
  }
  return count / ((performance.now() - started) / 1000);
}

export function slaBenchmark(): string {
  const sample = inputs(200);
  const rows: string[] = [];
  const ceiling = ceilingSketch();
  for (const span of SPANS) {
    const ours = perSecond(peers.casework as Peer, span, sample, 400);
    const epochMs = perSecond((from) => spanDue(calendar, from.getTime(), span), span, sample, 300);
    const cells = [`${span}`, rate(ours), rate(epochMs)];
    for (const [name, peer] of Object.entries(peers)) {
      if (name === 'casework') continue;
      const budget = name === 'minute stepping' ? 150 : 250;
      const peerRate = perSecond(peer, span, sample.slice(0, 50), budget);
      const agree = sample.filter((from) => peer(from, span) === (peers.casework as Peer)(from, span)).length;
      cells.push(
        `${rate(peerRate)} (×${(ours / peerRate).toFixed(0)}; agrees ${Math.round((agree / sample.length) * 100)}%)`,
      );
    }
    cells.push(span.endsWith('BH') ? rate(perSecond(ceiling, span, sample, 300)) : '—');
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return `| span | casework \`addSpan\` /s | casework \`spanDue\` (epoch ms) /s | dayjs-business-time /s (casework ×; agreement) | moment-business-time /s | minute stepping /s | ceiling sketch /s |
|---|---|---|---|---|---|---|
${rows.join('\n')}

${caseBenchmark(sample)}`;
}

const rate = (perSecond: number) => Math.round(perSecond).toLocaleString('en');

/**
 * What the API and the workflow run for each case they show or route: `slaStatus` (the three
 * targets' due instants, outcomes and remaining business time), on the product's case shapes.
 */
function caseBenchmark(sample: Date[]): string {
  const base = (from: Date, i: number): CaseRecord =>
    ({
      caseId: String(i).padStart(10, '0'),
      plan: ['business-care', 'premium-care', 'business-care-for-cloud'][i % 3],
      severity: ['high', 'medium', 'low'][i % 3],
      centre: i % 3 === 2 ? 'north-america' : 'emea',
      status: 'Open',
      completedAt: from.toISOString(),
      createdAt: from.toISOString(),
      pauses: [],
    }) as unknown as CaseRecord;
  const shapes: Record<string, (from: Date, i: number) => CaseRecord> = {
    'pending, no pause': base,
    'responded, one pause over': (from, i) => ({
      ...base(from, i),
      respondedAt: new Date(from.getTime() + 1_800_000).toISOString(),
      pauses: [
        {
          from: new Date(from.getTime() + 3_600_000).toISOString(),
          to: new Date(from.getTime() + 30 * 3_600_000).toISOString(),
        },
      ],
    }),
    'waiting on the customer (pause running)': (from, i) => ({
      ...base(from, i),
      respondedAt: new Date(from.getTime() + 1_800_000).toISOString(),
      pauses: [{ from: new Date(from.getTime() + 3_600_000).toISOString(), to: null }],
    }),
  };
  const rows: string[] = [];
  for (const [shape, make] of Object.entries(shapes)) {
    const cases = sample.map(make);
    const nows = sample.map((from) => new Date(from.getTime() + 2 * 3_600_000));
    const each = (fn: (c: CaseRecord, now: Date) => unknown) => () => {
      for (let i = 0; i < cases.length; i++) fn(cases[i] as CaseRecord, nows[i] as Date);
    };
    const status = loops(
      each((c, now) => slaStatus(c, now)),
      cases.length,
      400,
    );
    const targets = loops(
      each((c) =>
        targetsFor({
          plan: c.plan,
          severity: c.severity,
          calendar: calendarOf(c.centre),
          completedAt: new Date(c.completedAt as string),
        }),
      ),
      cases.length,
      300,
    );
    const explained = loops(
      each((c) =>
        targetsFor({
          plan: c.plan,
          severity: c.severity,
          calendar: calendarOf(c.centre),
          completedAt: new Date(c.completedAt as string),
          explain: true,
        }),
      ),
      cases.length,
      300,
    );
    rows.push(`| ${shape} | ${rate(status)} | ${rate(targets)} | ${rate(explained)} |`);
  }
  return `Per case, what the API and the workflow run (the same 200 completion instants; a third each of
business-care high, premium-care medium and business-care-for-cloud low, emea and north-america):

| case | \`slaStatus\` (targets, outcomes, business time remaining) /s | \`targetsFor\` /s | \`targetsFor\` with explanations /s |
|---|---|---|---|
${rows.join('\n')}`;
}

/** Runs of `batch` (of `size` operations each) per second, over `budgetMs`. */
function loops(batch: () => void, size: number, budgetMs: number): number {
  batch();
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    batch();
    count += size;
  }
  return count / ((performance.now() - started) / 1000);
}
