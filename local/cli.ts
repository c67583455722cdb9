import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { centres, policy } from '#shared/catalogue/index.ts';
import { addBusinessDays, addBusinessTime } from '#shared/sla/business-time.ts';
import { CalendarSchema } from '#shared/sla/calendar.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { TARGET_KINDS, targetsFor } from '#shared/sla/targets.ts';

/** `npx casework …` (SPEC §12). Exit code 2 and a message naming the field on bad input. */

class UsageError extends Error {}
const fail = (field: string, message: string): never => {
  throw new UsageError(`${field}: ${message}`);
};

const baseUrl = () =>
  (process.env.CASEWORK_URL ?? `http://127.0.0.1:${process.env.CASEWORK_PORT ?? 4000}`).replace(/\/$/, '');

async function call(path: string, init: RequestInit = {}) {
  let res: Response;
  try {
    res = await fetch(`${baseUrl()}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  } catch {
    throw new Error(`cannot reach casework at ${baseUrl()}: start it with npm start (or set CASEWORK_URL)`);
  }
  const body = (await res.json().catch(() => ({}))) as {
    error?: { field?: string; message?: string };
    [k: string]: unknown;
  };
  if (!res.ok)
    throw new UsageError(`${body?.error?.field ?? 'request'}: ${body?.error?.message ?? res.statusText}`);
  return body;
}

const instant = (field: string, value: string | undefined): Date => {
  if (!value) return fail(field, 'required (an ISO-8601 instant such as 2026-03-02T09:00:00Z)');
  const d = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) || Number.isNaN(d.getTime()))
    return fail(field, `not an ISO-8601 instant: "${value}"`);
  return d;
};

function slaDue(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      plan: { type: 'string' },
      severity: { type: 'string' },
      centre: { type: 'string' },
      from: { type: 'string' },
      paused: { type: 'string', multiple: true },
      human: { type: 'boolean' },
    },
  });
  const plan = values.plan ?? fail('--plan', `required: one of ${Object.keys(policy.plans).join(', ')}`);
  if (!(plan in policy.plans))
    fail('--plan', `unknown plan "${plan}": one of ${Object.keys(policy.plans).join(', ')}`);
  const severity = values.severity ?? fail('--severity', `required: one of ${policy.severities.join(', ')}`);
  if (!policy.severities.includes(severity as never))
    fail('--severity', `unknown severity "${severity}": one of ${policy.severities.join(', ')}`);
  const centre = values.centre ?? fail('--centre', `required: one of ${Object.keys(centres).join(', ')}`);
  if (!(centre in centres))
    fail('--centre', `unknown centre "${centre}": one of ${Object.keys(centres).join(', ')}`);
  const from = instant('--from', values.from);
  const pauses = (values.paused ?? []).map((p) => {
    const [a, b] = p.split('/');
    const start = instant('--paused', a);
    const end = instant('--paused', b);
    if (end < start) fail('--paused', `the pause ${p} ends before it starts`);
    return { from: start.getTime(), to: end.getTime() };
  });
  const targets = targetsFor({
    plan,
    severity: severity as never,
    calendar: calendarOf(centre),
    completedAt: from,
    pauses,
  });
  if (values.human) {
    const rows = TARGET_KINDS.map((k) => [k, targets[k].target ?? 'n/a', targets[k].due ?? '—']);
    console.log(`${plan} / ${severity} / ${centre}, complete at ${from.toISOString()}`);
    for (const [k, t, d] of rows) console.log(`  ${String(k).padEnd(12)} ${String(t).padEnd(7)} ${d}`);
    return;
  }
  console.log(JSON.stringify(targets, null, 2));
}

function slaAdd(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      centre: { type: 'string' },
      calendar: { type: 'string' },
      from: { type: 'string' },
      hours: { type: 'string' },
      minutes: { type: 'string' },
      days: { type: 'string' },
    },
  });
  let calendar: z.infer<typeof CalendarSchema>;
  if (values.calendar) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(values.calendar, 'utf8'));
    } catch (error) {
      return fail('--calendar', `cannot read ${values.calendar}: ${(error as Error).message}`);
    }
    const parsed = CalendarSchema.safeParse(data);
    if (!parsed.success)
      return fail(
        `--calendar ${parsed.error.issues[0]?.path.join('.')}`,
        parsed.error.issues[0]?.message ?? 'invalid',
      );
    calendar = parsed.data;
  } else if (values.centre) {
    if (!(values.centre in centres))
      fail('--centre', `unknown centre "${values.centre}": one of ${Object.keys(centres).join(', ')}`);
    calendar = calendarOf(values.centre);
  } else return fail('--centre', 'give --centre C or --calendar FILE.json');
  const from = instant('--from', values.from);
  const amount = (flag: string, value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) fail(flag, `a non-negative number, not "${value}"`);
    return n;
  };
  const result =
    values.days !== undefined
      ? Number.isInteger(amount('--days', values.days))
        ? addBusinessDays(calendar, from, Number(values.days))
        : fail('--days', 'a whole number of days')
      : values.hours !== undefined
        ? addBusinessTime(calendar, from, amount('--hours', values.hours) * 3_600_000)
        : values.minutes !== undefined
          ? addBusinessTime(calendar, from, amount('--minutes', values.minutes) * 60_000)
          : fail('--hours', 'give --hours N, --minutes N or --days N');
  console.log(JSON.stringify({ due: result.due.toISOString(), explanation: result.explanation }, null, 2));
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  switch (command) {
    case 'token': {
      const email = rest[0] ?? fail('email', 'usage: casework token <email>');
      console.log(
        (await call('/_local/token', { method: 'POST', body: JSON.stringify({ email }) })).token as string,
      );
      return;
    }
    case 'clock': {
      if (rest[0] !== 'advance' || !rest[1]) fail('clock', 'usage: casework clock advance P7D');
      console.log(
        (await call('/_local/clock', { method: 'POST', body: JSON.stringify({ advance: rest[1] }) }))
          .now as string,
      );
      return;
    }
    case 'sla':
      if (rest[0] === 'due') return slaDue(rest.slice(1));
      if (rest[0] === 'add') return slaAdd(rest.slice(1));
      return fail('sla', 'usage: casework sla due … | casework sla add …');
    default:
      console.log(`usage: casework <command>
  token <email>                         a bearer token for a catalogue user (local runtime)
  clock advance <ISO duration>          move the local virtual clock, e.g. P7D
  sla due --plan P --severity S --centre C --from ISO [--paused ISO/ISO]... [--human]
  sla add (--centre C | --calendar FILE.json) --from ISO (--hours N | --minutes N | --days N)`);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  console.error(`casework: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
