import { readFileSync } from 'node:fs';
import { Duration } from 'luxon';
import type * as z from 'zod';
import { centres, policy } from '#shared/catalogue/index.ts';
import { addBusinessDays, addBusinessTime } from '#shared/sla/business-time.ts';
import { CalendarSchema } from '#shared/sla/calendar.ts';
import { calendarOf } from '#shared/sla/calendars.ts';
import { TARGET_KINDS, targetsFor } from '#shared/sla/targets.ts';
import { bearer, call, fail, options, UsageError } from './cli/common.ts';

/**
 * `npx casework …` (SPEC §12). Against the local runtime by default, or a deployed stack with
 * `CASEWORK_URL` and `CASEWORK_TOKEN`. Exit code 2 and a message naming the field on bad input.
 */

/** Who the case commands act as locally without `--as`: the demo catalogue's engineer. */
const DEMO_ENGINEER = 'eve@support.example';

const instant = (field: string, value: string | undefined): Date => {
  if (!value) return fail(field, 'required (an ISO-8601 instant such as 2026-03-02T09:00:00Z)');
  const d = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) || Number.isNaN(d.getTime()))
    return fail(field, `not an ISO-8601 instant: "${value}"`);
  return d;
};

function slaDue(args: string[]) {
  const { values } = options(args, {
    plan: { type: 'string' },
    severity: { type: 'string' },
    centre: { type: 'string' },
    from: { type: 'string' },
    paused: { type: 'string', multiple: true },
    human: { type: 'boolean' },
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
    explain: true,
  });
  if (values.human) {
    const rows = TARGET_KINDS.map((k) => [
      k,
      targets[k].target ?? 'n/a',
      targets[k].due?.toISOString() ?? '—',
    ]);
    console.log(`${plan} / ${severity} / ${centre}, complete at ${from.toISOString()}`);
    for (const [k, t, d] of rows) console.log(`  ${String(k).padEnd(12)} ${String(t).padEnd(7)} ${d}`);
    return;
  }
  console.log(JSON.stringify(targets, null, 2));
}

function slaAdd(args: string[]) {
  const { values } = options(args, {
    centre: { type: 'string' },
    calendar: { type: 'string' },
    from: { type: 'string' },
    hours: { type: 'string' },
    minutes: { type: 'string' },
    days: { type: 'string' },
    human: { type: 'boolean' },
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
  const { explanation } = result;
  if (values.human) {
    console.log(`due ${result.due.toISOString()}`);
    if (explanation.rolledTo) console.log(`  starts at the next open time, ${explanation.rolledTo}`);
    for (const span of explanation.counted) console.log(`  counted ${span.from} → ${span.to}`);
    for (const h of explanation.holidaysSkipped) console.log(`  skipped holiday ${h.date} ${h.name}`);
    return;
  }
  console.log(JSON.stringify({ due: result.due.toISOString(), explanation }, null, 2));
}

const progress = (text: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${text}\x1b[K`);
};

function table(rows: Record<string, unknown>[], columns: string[]) {
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log([line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n'));
}

async function casesList(args: string[]) {
  const { values } = options(args, {
    status: { type: 'string' },
    severity: { type: 'string' },
    account: { type: 'string' },
    breached: { type: 'boolean' },
    as: { type: 'string' },
    json: { type: 'boolean' },
    all: { type: 'boolean' },
  });
  const authorization = `Bearer ${await bearer(values.as ?? DEMO_ENGINEER)}`;
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  let more = false;
  do {
    const q = new URLSearchParams(
      Object.entries({
        status: values.status,
        severity: values.severity,
        account: values.account,
        breached: values.breached ? 'true' : undefined,
        cursor,
      }).filter((e): e is [string, string] => !!e[1]),
    );
    const page = await call(`/v1/cases?${q}`, { headers: { authorization } });
    items.push(...(page.items as Record<string, unknown>[]));
    more = !!page.cursor;
    cursor = values.all ? (page.cursor as string | undefined) : undefined;
    progress(`fetched ${items.length} cases…`);
  } while (cursor);
  progress('');
  // Said on stderr, so that --json output stays one JSON document.
  if (more && !values.all) console.error(`the first ${items.length} cases; --all lists every one`);
  if (values.json) return console.log(JSON.stringify(items, null, 2));
  table(
    items.map((c) => ({ ...c, status: `${c.status}/${c.subStatus}` })),
    ['number', 'account', 'severity', 'status', 'subject', 'updatedAt'],
  );
}

async function caseShow(args: string[]) {
  const { values, positionals } = options(args, { as: { type: 'string' }, json: { type: 'boolean' } }, true);
  const [n = fail('number', 'usage: casework case show <number>'), extra] = positionals;
  if (extra !== undefined) fail(extra, 'unexpected argument; usage: casework case show <number>');
  const headers = { authorization: `Bearer ${await bearer(values.as ?? DEMO_ENGINEER)}` };
  const c = await call(`/v1/cases/${encodeURIComponent(n)}`, { headers });
  const timeline = (await call(`/v1/cases/${encodeURIComponent(n)}/timeline`, { headers })).items as Record<
    string,
    unknown
  >[];
  if (values.json) return console.log(JSON.stringify({ ...c, timeline }, null, 2));
  console.log(
    `Case # ${c.number}: ${c.subject}\n${c.account} · ${c.plan} · ${c.centre} · ${c.severity} · ${c.status}/${c.subStatus} · revision ${c.revision}\n`,
  );
  const sla = (c.sla ?? {}) as Record<
    string,
    { target: string | null; due: string | null; outcome: { state: string; at?: string } }
  >;
  if (Object.keys(sla).length) {
    table(
      Object.entries(sla).map(([kind, t]) => ({
        target: kind,
        span: t.target ?? 'n/a',
        due: t.due ?? '',
        state: t.outcome.state,
        at: t.outcome.at ?? '',
      })),
      ['target', 'span', 'due', 'state', 'at'],
    );
    console.log('');
  }
  table(
    timeline.map((e) => ({
      ...e,
      what: [e.kind, e.status ? `${e.status}/${e.subStatus}` : '', e.text ?? ''].join(' ').trim(),
    })),
    ['at', 'actor', 'visibility', 'what'],
  );
}

/** Feeds raw mail to the inbound path: the local SMTP listener, as SES receiving would. */
async function mailSend(args: string[]) {
  const { values, positionals } = options(args, { from: { type: 'string' }, to: { type: 'string' } }, true);
  if (!positionals.length) fail('file', 'usage: casework mail send <file.eml>...');
  if (process.env.CASEWORK_TOKEN)
    fail('mail', 'mail send feeds the local runtime; on AWS, send the mail to the SES inbound address');
  const nodemailer = (await import('nodemailer')).default;
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: Number(process.env.CASEWORK_SMTP_PORT ?? 2525),
    secure: false,
    ignoreTLS: true,
  });
  for (const [i, file] of positionals.entries()) {
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch (error) {
      return fail('file', `cannot read ${file}: ${(error as Error).message}`);
    }
    const from = values.from ?? /^From:.*?([\w.+-]+@[\w.-]+)/im.exec(raw.toString('latin1'))?.[1] ?? '';
    progress(`sending ${i + 1}/${positionals.length}: ${file}`);
    const info = await transport.sendMail({
      envelope: { from, to: [values.to ?? 'cases@support.example'] },
      raw,
    });
    progress('');
    console.log(`${file}: ${info.response}`);
  }
  transport.close();
}

interface ClockAnswer {
  now: string;
  fired: { at: string; what: string }[];
  mails: { to: string[]; subject: string }[];
}

/**
 * Moves the local virtual clock, a day at a time so a long advance shows its progress; prints the
 * new time, the timers that fired and the mails sent on the way.
 */
async function clockAdvance(args: string[]) {
  const { positionals } = options(args, {}, true);
  if (process.env.CASEWORK_TOKEN)
    fail('clock', "the virtual clock is the local runtime's; a deployed stack runs in real time");
  const text = positionals[0] ?? fail('duration', 'usage: casework clock advance P7D');
  if (positionals.length > 1) fail(positionals[1] ?? '', 'unexpected argument; give one duration');
  const duration = Duration.fromISO(text);
  if (!duration.isValid || duration.toMillis() < 0)
    fail('duration', `not an ISO-8601 duration such as P7D or PT4H: "${text}"`);
  const DAY = 86_400_000;
  const total = duration.toMillis();
  const answer: ClockAnswer = { now: '', fired: [], mails: [] };
  for (let done = 0; done < total || answer.now === ''; ) {
    const step = Math.min(DAY, total - done);
    const next = (await call('/_local/clock', {
      method: 'POST',
      body: JSON.stringify({ advance: Duration.fromMillis(step).toISO() }),
    })) as unknown as ClockAnswer;
    done += step;
    answer.now = next.now;
    answer.fired.push(...(next.fired ?? []));
    answer.mails.push(...(next.mails ?? []));
    if (total > DAY)
      progress(
        `advancing: ${next.now} (${Math.round((done / total) * 100)}%), ${answer.fired.length} timers fired, ${answer.mails.length} mails sent`,
      );
  }
  progress('');
  console.log(answer.now);
  console.log(`timers fired: ${answer.fired.length}`);
  for (const t of answer.fired) console.log(`  ${t.at}  ${t.what}`);
  console.log(`mails sent: ${answer.mails.length}`);
  for (const m of answer.mails) console.log(`  ${m.to.join(', ')}  ${m.subject}`);
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  switch (command) {
    case 'token': {
      const [email = fail('email', 'usage: casework token <email>'), extra] = options(
        rest,
        {},
        true,
      ).positionals;
      if (extra !== undefined) fail(extra, 'unexpected argument; usage: casework token <email>');
      console.log(
        (await call('/_local/token', { method: 'POST', body: JSON.stringify({ email }) })).token as string,
      );
      return;
    }
    case 'clock':
      if (rest[0] !== 'advance') return fail('clock', 'usage: casework clock advance P7D');
      return clockAdvance(rest.slice(1));
    case 'cases':
      if (rest[0] !== 'list')
        return fail(
          'cases',
          'usage: casework cases list [--status S] [--severity S] [--account A] [--breached] [--all] [--json]',
        );
      return casesList(rest.slice(1));
    case 'case':
      if (rest[0] !== 'show') return fail('case', 'usage: casework case show <number> [--json]');
      return caseShow(rest.slice(1));
    case 'mail':
      if (rest[0] !== 'send') return fail('mail', 'usage: casework mail send <file.eml>...');
      return mailSend(rest.slice(1));
    case 'admin':
      return (await import('./cli/admin.ts')).admin(rest);
    case 'sla':
      if (rest[0] === 'due') return slaDue(rest.slice(1));
      if (rest[0] === 'add') return slaAdd(rest.slice(1));
      return fail('sla', 'usage: casework sla due … | casework sla add …');
    default:
      if (command && command !== 'help' && command !== '--help')
        console.error(`casework: command: unknown command "${command}"`);
      console.log(`usage: casework <command>
  token <email>                         a bearer token for a catalogue user (local runtime)
  cases list [--status S] [--severity S] [--account A] [--breached] [--all] [--json] [--as EMAIL]
  case show <number> [--json] [--as EMAIL]
  mail send <file.eml>... [--from ADDRESS]  feed raw mail to the local inbound SMTP listener
  clock advance <ISO duration>          move the local virtual clock, e.g. P7D
  sla due --plan P --severity S --centre C --from ISO [--paused ISO/ISO]... [--human]
  sla add (--centre C | --calendar FILE.json) --from ISO (--hours N | --minutes N | --days N) [--human]
  admin apply <catalogue.yaml|json> [--dry-run]  provision accounts, contacts and engineers
  admin export                          the provisioned catalogue
  admin reinvite <email>                mail an invited person a new temporary password
  admin undeliverable                   the addresses mail does not reach, and why
  admin clear-address <email>           let mail go to one again (its mailbox fixed)`);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  console.error(`casework: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
