import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { COGNITO_SENDER, LOCAL_ADMINISTRATOR } from '#local/cognito.ts';
import { demoCatalogue } from '#local/demo.ts';
import { type LocalRuntime, type RuntimeOptions, startLocalRuntime } from '#local/runtime.ts';

export const ANY_PORTS = { api: 0, dynamodb: 0, s3: 0, ses: 0, stepfunctions: 0, smtp: 0 };

export interface SentMail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
  /** When it was sent (seconds), in virtual time. */
  at: number;
}

/** The whole local system in this test process, on free ports, with virtual time frozen at `at`. */
export async function startTestRuntime(
  at: string,
  dataDir = mkdtempSync(path.join(tmpdir(), 'casework-test-')),
  options: Partial<
    Pick<RuntimeOptions, 'throttle' | 'throttleTime' | 'signInTime' | 'ports' | 'sesSandbox' | 'template'>
  > = {},
) {
  const runtime: LocalRuntime = await startLocalRuntime({
    dataDir,
    ports: ANY_PORTS,
    frozenAt: new Date(at),
    ...options,
  });
  const base = runtime.urls.api.replace(/\/v1$/, '');
  const tokens = new Map<string, string>();

  const token = async (email: string) => {
    if (!tokens.has(email)) tokens.set(email, await runtime.issuer.sign(email));
    return tokens.get(email) as string;
  };

  async function api(
    method: string,
    url: string,
    options: { as?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${await token(options.as)}`;
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${url}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {}
    await runtime.settled();
    return { status: res.status, body, headers: res.headers };
  }

  const sent = async (): Promise<SentMail[]> =>
    ((await (await fetch(`${runtime.urls.ses}/store`)).json()) as { emails: SentMail[] }).emails;
  /** The mail the desk sent (through SES), in the order sent. */
  const mails = async () => (await sent()).filter((m) => m.from !== COGNITO_SENDER);
  /** The user pool's own mail (invitations, password reset codes), in the same local mail viewer. */
  const cognitoMails = async () => (await sent()).filter((m) => m.from === COGNITO_SENDER);

  /** Provisions the demo catalogue with more entries, through the admin API as its administrator. */
  const provision = async (extra: {
    accounts?: Record<string, unknown>;
    contacts?: Record<string, unknown>;
    engineers?: Record<string, unknown>;
  }) => {
    const body = {
      accounts: { ...demoCatalogue.accounts, ...extra.accounts },
      contacts: { ...demoCatalogue.contacts, ...extra.contacts },
      engineers: { ...demoCatalogue.engineers, ...extra.engineers },
    };
    const res = await api('POST', '/v1/admin/catalogue', { as: LOCAL_ADMINISTRATOR, body });
    if (res.status !== 200) throw new Error(`provisioning refused: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  const advance = async (duration: string) => api('POST', '/_local/clock', { body: { advance: duration } });

  /** Sends a mail to the desk (`cases@support.example` unless `to` says otherwise) through its SMTP listener, and waits until everything it set off has run. */
  const receive = async (mail: SendMailOptions) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: Number(new URL(runtime.urls.smtp).port),
      secure: false,
      ignoreTLS: true,
    });
    try {
      await transport.sendMail({ to: 'cases@support.example', ...mail });
    } finally {
      transport.close();
    }
    await runtime.settled();
  };

  return {
    runtime,
    dataDir,
    api,
    token,
    mails,
    cognitoMails,
    advance,
    receive,
    provision,
    stop: async (keepData = false) => {
      await runtime.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestRuntime = Awaited<ReturnType<typeof startTestRuntime>>;

/** A complete high-severity case for acme (plan business-care, centre emea). */
export const acmeHighCase = {
  account: 'acme',
  product: 'Contact Center',
  version: '12.4',
  type: 'problem',
  environment: 'production',
  severity: 'high',
  subject: 'Agents cannot log in',
  description: 'Since the upgrade, agents get an error at login.',
  businessImpact: 'Half of the agents cannot take calls.',
  usersAffected: 40,
  circumstances: 'Upgraded to 12.4 on Sunday; rolled back one server, which works.',
};

/** Account `umbrella` on plan pureconnect (centre emea), with designated contact `uma@umbrella.example`. */
export const umbrellaPureconnect = {
  accounts: {
    umbrella: {
      name: 'Umbrella',
      plan: 'pureconnect',
      centre: 'emea',
      contract: { start: '2024-01-01', end: '2030-12-31' },
      products: ['Contact Center'],
    },
  },
  contacts: { 'uma@umbrella.example': { name: 'Uma', access: { umbrella: 'designated' } } },
};
