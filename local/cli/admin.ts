import { parseArgs } from 'node:util';
import type { CatalogueChange } from '#shared/service/admin.ts';
import { CatalogueFileError, readCatalogueFile } from '../catalogue-file.ts';
import { LOCAL_ADMINISTRATOR } from '../cognito.ts';

/**
 * `npx casework admin apply <file> [--dry-run]`: provisions a desk from a catalogue file (YAML or
 * JSON) through the admin API, against `CASEWORK_URL` with an administrator's `CASEWORK_TOKEN`, or
 * the local runtime as its administrator. The file is checked here first, so a malformed one is
 * refused with its line and field before anything is sent; the API checks it again.
 */
const USAGE = 'usage: casework admin apply <catalogue.yaml|json> [--dry-run] | casework admin export';

class AdminUsageError extends Error {}

const baseUrl = () =>
  (process.env.CASEWORK_URL ?? `http://127.0.0.1:${process.env.CASEWORK_PORT ?? 4000}`).replace(/\/$/, '');

async function request(path: string, init: RequestInit = {}) {
  let res: Response;
  try {
    res = await fetch(`${baseUrl()}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  } catch {
    throw new Error(`cannot reach casework at ${baseUrl()}: start it with npm start (or set CASEWORK_URL)`);
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { field?: string; message?: string } };
  if (!res.ok) {
    const message = `${body.error?.field ?? 'request'}: ${body.error?.message ?? res.statusText}`;
    throw res.status < 500 ? new AdminUsageError(message) : new Error(message);
  }
  return body as Record<string, unknown>;
}

async function authorization(): Promise<string> {
  if (process.env.CASEWORK_TOKEN) return `Bearer ${process.env.CASEWORK_TOKEN}`;
  const { token } = await request('/_local/token', {
    method: 'POST',
    body: JSON.stringify({ email: LOCAL_ADMINISTRATOR }),
  });
  return `Bearer ${token}`;
}

const SIGN = { add: '+', change: '~', remove: '-' } as const;

export function describeChange(c: CatalogueChange): string {
  return `${SIGN[c.action]} ${c.kind} ${c.id}${c.fields?.length ? ` (${c.fields.join(', ')})` : ''}`;
}

async function apply(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file) throw new AdminUsageError(`file: ${USAGE}`);
  let catalogue: ReturnType<typeof readCatalogueFile>;
  try {
    catalogue = readCatalogueFile(file);
  } catch (error) {
    if (error instanceof CatalogueFileError) throw new AdminUsageError(error.message);
    throw new AdminUsageError(`file: cannot read ${file}: ${(error as Error).message}`);
  }
  const dryRun = !!values['dry-run'];
  const { changes } = (await request(`/v1/admin/catalogue${dryRun ? '?dryRun=true' : ''}`, {
    method: 'POST',
    headers: { authorization: await authorization() },
    body: JSON.stringify(catalogue),
  })) as { changes: CatalogueChange[] };
  for (const change of changes) console.log(describeChange(change));
  const count = `${changes.length} change${changes.length === 1 ? '' : 's'}`;
  console.log(
    changes.length === 0
      ? 'up to date: nothing to change'
      : dryRun
        ? `${count} (dry run: nothing applied)`
        : `${count} applied`,
  );
}

async function exportCatalogue() {
  const catalogue = await request('/v1/admin/catalogue', {
    headers: { authorization: await authorization() },
  });
  console.log(JSON.stringify(catalogue, null, 2));
}

/** Runs `casework admin …`; bad input exits 2 with the field named, as every command does. */
export async function admin(args: string[]): Promise<void> {
  try {
    if (args[0] === 'apply') return await apply(args.slice(1));
    if (args[0] === 'export') return await exportCatalogue();
    throw new AdminUsageError(`admin: ${USAGE}`);
  } catch (error) {
    console.error(`casework: ${(error as Error).message}`);
    process.exitCode = error instanceof AdminUsageError ? 2 : 1;
  }
}
