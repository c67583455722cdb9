import dayjs from 'dayjs';
import dayjsBusinessTime from 'dayjs-business-time';
import moment from 'moment';
import 'moment-business-time';
import { compile } from '#shared/sla/calendar.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { addSpan, parseSpan } from '#shared/sla/targets.ts';

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
  for (const span of SPANS) {
    const ours = perSecond(peers.casework as Peer, span, sample, 400);
    const cells = [`${span}`, Math.round(ours).toLocaleString('en')];
    for (const [name, peer] of Object.entries(peers)) {
      if (name === 'casework') continue;
      const budget = name === 'minute stepping' ? 150 : 250;
      const rate = perSecond(peer, span, sample.slice(0, 50), budget);
      const agree = sample.filter((from) => peer(from, span) === (peers.casework as Peer)(from, span)).length;
      cells.push(
        `${Math.round(rate).toLocaleString('en')} (×${(ours / rate).toFixed(0)}; agrees ${Math.round((agree / sample.length) * 100)}%)`,
      );
    }
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return `| span | casework /s | dayjs-business-time /s (casework ×; agreement) | moment-business-time /s | minute stepping /s |
|---|---|---|---|---|
${rows.join('\n')}`;
}
