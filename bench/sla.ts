import dayjs from 'dayjs';
import dayjsBusinessTime from 'dayjs-business-time';
import moment from 'moment';
import 'moment-business-time';
import { complianceShareOf } from '#shared/cases/compliance.ts';
import type { CaseRecord } from '#shared/cases/model.ts';
import { slaStatus } from '#shared/cases/sla.ts';
import { planNamed } from '#shared/catalogue/index.ts';
import { compile } from '#shared/sla/calendar.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { instantMs } from '#shared/sla/instants.ts';
import { addSpan, parseSpan, spanDue, TARGET_KINDS, targetsFor } from '#shared/sla/targets.ts';

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
 * of open time in two arrays, binary searches, nothing allocated, BH only), over 2026: a due
 * instant after an amount of open time, and the open time between two instants.
 */
function ceilingSketch() {
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
  const openUpTo = (t: number) => {
    const i = first(ends, t, false);
    return (totals[i] as number) - ((ends[i] as number) - Math.max(starts[i] as number, t));
  };
  const due = (t: number, amountMs: number) => {
    const target = openUpTo(t) + amountMs;
    const j = first(totals, target, true);
    return (ends[j] as number) - ((totals[j] as number) - target);
  };
  return { due, openBetween: (a: number, b: number) => openUpTo(b) - openUpTo(a) };
}
const ceiling = ceilingSketch();

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

/** CPU time of the process, ms: other work on the machine slows it less than the wall clock. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function perSecond(fn: Peer, span: string, sample: Date[], budgetMs: number): number {
  return loops(
    () => {
      for (const from of sample) fn(from, span);
    },
    sample.length,
    budgetMs,
  );
}

function spanTable(sample: Date[]): string {
  const rows: string[] = [];
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
    const sketch: Peer = (from) => ceiling.due(from.getTime(), parseSpan(span).amount * 3_600_000);
    cells.push(span.endsWith('BH') ? rate(perSecond(sketch, span, sample, 300)) : '—');
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return `| span | casework \`addSpan\` /s | casework \`spanDue\` (epoch ms) /s | dayjs-business-time /s (casework ×; agreement) | moment-business-time /s | minute stepping /s | ceiling sketch /s |
|---|---|---|---|---|---|---|
${rows.join('\n')}`;
}

const rate = (perSecond: number) => Math.round(perSecond).toLocaleString('en');

/** The same 200 instants as cases of the product's shapes: a third each of three plans, two centres. */
function caseShapes(sample: Date[]): Record<string, CaseRecord[]> {
  const iso = (ms: number) => new Date(ms).toISOString();
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
      respondedAt: iso(from.getTime() + 1_800_000),
      pauses: [{ from: iso(from.getTime() + 3_600_000), to: iso(from.getTime() + 30 * 3_600_000) }],
    }),
    'waiting on the customer (pause running)': (from, i) => ({
      ...base(from, i),
      respondedAt: iso(from.getTime() + 1_800_000),
      pauses: [{ from: iso(from.getTime() + 3_600_000), to: null }],
    }),
  };
  return Object.fromEntries(Object.entries(shapes).map(([shape, make]) => [shape, sample.map(make)]));
}

/**
 * A case's clocks the way a peer library can give them: each target's due instant from completion
 * and, while pending, the business time left to it; no pauses (the libraries have none) and the
 * emea hours for every case, so a peer's figure is the least its work would cost.
 */
type CasePeer = (c: CaseRecord, now: number) => number;
function casePeer(
  dueAfter: (from: number, span: string) => number,
  openBetween: (from: number, to: number) => number,
): CasePeer {
  return (c, now) => {
    const row = planNamed(c.plan).targets[c.severity];
    const from = instantMs(c.completedAt as string);
    let sum = 0;
    for (const kind of TARGET_KINDS) {
      const span = row?.[kind];
      if (!span) continue;
      const { amount, unit } = parseSpan(span);
      const business = unit === 'BH' || unit === 'BD';
      const due = business ? dueAfter(from, span) : from + amount * (unit === 'h' ? 3_600_000 : 60_000);
      sum += due;
      if (due > now) sum += business ? openBetween(now, due) : due - now;
    }
    return sum;
  };
}

const casePeers: Record<string, CasePeer> = {
  'dayjs-business-time': casePeer(
    (from, span) => (peers['dayjs-business-time'] as Peer)(new Date(from), span),
    // biome-ignore lint/suspicious/noExplicitAny: the plugin's methods are not in dayjs's types
    (a, b) => (dayjs(b) as any).businessMinutesDiff(dayjs(a)) * 60_000,
  ),
  'moment-business-time': casePeer(
    (from, span) => (peers['moment-business-time'] as Peer)(new Date(from), span),
    // biome-ignore lint/suspicious/noExplicitAny: the plugin's methods are not in moment's types
    (a, b) => (moment(b) as any).workingDiff(moment(a), 'minutes') * 60_000,
  ),
  'ceiling sketch': casePeer((from, span) => {
    const { amount, unit } = parseSpan(span);
    // A business day as the emea calendar's 11 open hours: the sketch knows open time only.
    return ceiling.due(from, amount * (unit === 'BD' ? 11 : 1) * 3_600_000);
  }, ceiling.openBetween),
};

/**
 * What the API and the workflow run for each case they show or route: \`slaStatus\` (the case's
 * targets, as \`targetsFor\` counts them, their outcomes and the business time left), on the
 * product's case shapes, beside the peers doing the least of that work.
 */
function caseTable(sample: Date[]): string {
  const rows: string[] = [];
  for (const [shape, cases] of Object.entries(caseShapes(sample))) {
    const nows = sample.map((from) => new Date(from.getTime() + 2 * 3_600_000));
    const each = (fn: (c: CaseRecord, now: Date) => unknown) => () => {
      for (let i = 0; i < cases.length; i++) fn(cases[i] as CaseRecord, nows[i] as Date);
    };
    const status = loops(
      each((c, now) => slaStatus(c, now)),
      cases.length,
      600,
    );
    const cells = [shape, rate(status)];
    for (const peer of Object.values(casePeers)) {
      const few = cases.slice(0, 50);
      const peerRate = loops(
        () => {
          for (let i = 0; i < few.length; i++) peer(few[i] as CaseRecord, (nows[i] as Date).getTime());
        },
        few.length,
        250,
      );
      cells.push(
        peerRate > status ? rate(peerRate) : `${rate(peerRate)} (×${(status / peerRate).toFixed(0)})`,
      );
    }
    const targets = (explain: boolean) =>
      loops(
        each((c) =>
          targetsFor({
            plan: c.plan,
            severity: c.severity,
            calendar: calendarOf(c.centre),
            completedAt: new Date(c.completedAt as string),
            explain,
          }),
        ),
        cases.length,
        300,
      );
    cells.push(rate(targets(false)), rate(targets(true)));
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return `| case | casework \`targetsFor\` + \`slaStatus\` per case /s | dayjs-business-time per case /s (casework ×) | moment-business-time per case /s | ceiling sketch per case /s | \`targetsFor\` alone /s | \`targetsFor\` with explanations /s |
|---|---|---|---|---|---|---|
${rows.join('\n')}`;
}

/** CPU ms of a centre's first answer: its calendar index laid out (a fresh copy, as after a cold start). */
function firstAnswerMs(centre: string): number {
  const fresh = structuredClone(calendarOf(centre));
  const started = cpuMs();
  spanDue(fresh, Date.UTC(2026, 2, 2, 9), '2BD');
  return cpuMs() - started;
}

/**
 * The SLA work of a case's closure for the compliance report (`complianceShareOf`): its clocks
 * read at the closure, and for an RCA its whole business days (bench cases closed after a day to
 * a week, a third pureconnect).
 */
function reportPerCaseUs(sample: Date[]): number {
  const iso = (ms: number) => new Date(ms).toISOString();
  const day = 86_400_000;
  const closed = sample.map((from, i) => {
    const t = from.getTime();
    const pureconnect = i % 3 === 2;
    return {
      plan: pureconnect ? 'pureconnect' : ['business-care', 'premium-care'][i % 2],
      severity: ['high', 'medium', 'low'][i % 3],
      centre: i % 2 ? 'emea' : 'north-america',
      status: 'Closed',
      createdAt: iso(t),
      completedAt: iso(t),
      respondedAt: iso(t + 3_600_000),
      resolvedAt: iso(t + (1 + (i % 7)) * day),
      closedAt: iso(t + (1 + (i % 7)) * day),
      informationCompleteAt: pureconnect ? iso(t + day) : null,
      rcaDeliveredAt: pureconnect ? iso(t + (3 + (i % 12)) * day) : null,
      pauses: [{ from: iso(t + 7_200_000), to: iso(t + 26 * 3_600_000) }],
    } as unknown as CaseRecord;
  });
  const perSecond = loops(
    () => {
      for (const c of closed) complianceShareOf(c);
    },
    closed.length,
    400,
  );
  return 1e6 / perSecond;
}

/**
 * The SLA section of BENCHMARKS.md. The peers work in the process's local time, so the caller
 * runs this with TZ=Europe/London.
 */
export function slaSection(loadAverage: string): string {
  const sample = inputs(200);
  return `## SLA engine (issue: SLA engine)
\`npm run bench -- sla\` runs this section alone (bench/sla.ts; \`npm run bench\` runs it too). Last
run ${new Date().toISOString().slice(0, 10)}, load average at its start ${loadAverage}. Rates are per second of the
process's CPU time, which other work on the machine disturbs less than the wall clock does.

Target computations on one core, emea calendar (Europe/London, 08:00–19:00, England & Wales bank
holidays), the same 200 start instants for every span and library; in brackets how many times
faster casework is, and the share of the peer's answers equal to casework's to the millisecond.
casework answers by binary searches over a precomputed index of open intervals with running totals
of open time, so its rate does not depend on the span's length.

${spanTable(sample)}

\`addSpan\` is the public call (a \`Date\` and an explanation worked out only if read), \`spanDue\`
the epoch-ms path the product runs; the ceiling sketch is a prefix-sum lookup reduced to two arrays
and two binary searches over two years, nothing allocated, measured in the same run so that the
machine's speed cancels out (\`spanDue\` passes it: the index steps to the start's day, then
gallops). The peers disagree where the SPEC's exact readings matter (a start outside open hours,
a target running out at a closing, partial-day holidays); the minute-stepping baseline applies the
SPEC's readings one minute at a time.

Per case, what the API and the workflow run for each case they show or route (a list page runs it
fifty times, the compliance report once per closed case): \`slaStatus\`, the case's targets as
\`targetsFor\` counts them, their outcomes and the business time left, read at two hours after
completion; the same 200 instants as cases, a third each of business-care high, premium-care
medium and business-care-for-cloud low, on emea and north-america. The peers compute each target's
due instant and the business time left to it with their own calls, on the emea hours and without
pauses (they have none): the least the same work costs them.

${caseTable(sample)}

| measure | figure |
|---|---|
| a centre's first answer after a cold start (its calendar index, 800 days laid out), emea / north-america | ${firstAnswerMs('emea').toFixed(1)} ms / ${firstAnswerMs('north-america').toFixed(1)} ms of CPU |
| a closed case's share of the compliance report (its clocks at the closure; an RCA's whole business days), counted once as it closes | ${reportPerCaseUs(sample).toFixed(2)} µs |`;
}

/** BENCHMARKS.md with its SLA section replaced by \`section\`. */
export const withSlaSection = (markdown: string, section: string) =>
  withSection(markdown, '## SLA engine', section);

/** BENCHMARKS.md with the section whose heading starts with \`heading\` replaced by \`section\`. */
export function withSection(markdown: string, heading: string, section: string): string {
  const start = markdown.indexOf(heading);
  if (start < 0) return `${markdown.trimEnd()}\n\n${section}\n`;
  const end = markdown.indexOf('\n## ', start + 1);
  return `${markdown.slice(0, start)}${section}\n${end < 0 ? '' : markdown.slice(end)}`;
}

/** Operations per CPU second: runs of `batch` (of `size` operations each) over `budgetMs` of CPU. */
function loops(batch: () => void, size: number, budgetMs: number): number {
  batch();
  let count = 0;
  const started = cpuMs();
  while (cpuMs() - started < budgetMs) {
    batch();
    count += size;
  }
  return count / ((cpuMs() - started) / 1000);
}
