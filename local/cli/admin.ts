import type { CatalogueChange } from '#shared/service/admin.ts';
import { CatalogueFileError, readCatalogueFile } from '../catalogue-file.ts';
import { LOCAL_ADMINISTRATOR } from '../cognito.ts';
import { bearer, call, fail, options, UsageError } from './common.ts';

/**
 * `npx casework admin apply <file> [--dry-run]`: provisions a desk from a catalogue file (YAML or
 * JSON) through the admin API, against `CASEWORK_URL` with an administrator's `CASEWORK_TOKEN`, or
 * the local runtime as its administrator. The file is checked here first, so a malformed one is
 * refused with its line and field before anything is sent; the API checks it again.
 * `npx casework admin reinvite <email>` mails an invited person a new temporary password.
 * `npx casework admin undeliverable` lists the addresses mail does not reach; `admin clear-address
 * <email>` lets mail go to one again.
 */
const USAGE =
  'usage: casework admin apply <catalogue.yaml|json> [--dry-run] | casework admin export | casework admin reinvite <email> | casework admin undeliverable | casework admin clear-address <email>';

const SIGN = { add: '+', change: '~', remove: '-' } as const;

export function describeChange(c: CatalogueChange): string {
  return `${SIGN[c.action]} ${c.kind} ${c.id}${c.fields?.length ? ` (${c.fields.join(', ')})` : ''}`;
}

async function apply(args: string[]) {
  const { values, positionals } = options(args, { 'dry-run': { type: 'boolean' } }, true);
  const file = positionals[0] ?? fail('file', USAGE);
  if (positionals.length > 1) fail(positionals[1] ?? '', `unexpected argument; ${USAGE}`);
  let catalogue: ReturnType<typeof readCatalogueFile>;
  try {
    catalogue = readCatalogueFile(file);
  } catch (error) {
    if (error instanceof CatalogueFileError) throw new UsageError(error.message);
    return fail('file', `cannot read ${file}: ${(error as Error).message}`);
  }
  const dryRun = !!values['dry-run'];
  const { changes } = (await call(`/v1/admin/catalogue${dryRun ? '?dryRun=true' : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await bearer(LOCAL_ADMINISTRATOR)}` },
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

async function exportCatalogue(args: string[]) {
  options(args, {});
  const catalogue = await call('/v1/admin/catalogue', {
    headers: { authorization: `Bearer ${await bearer(LOCAL_ADMINISTRATOR)}` },
  });
  console.log(JSON.stringify(catalogue, null, 2));
}

async function reinvite(args: string[]) {
  const { positionals } = options(args, {}, true);
  const [email = fail('email', 'usage: casework admin reinvite <email>'), extra] = positionals;
  if (extra !== undefined) fail(extra, 'unexpected argument; usage: casework admin reinvite <email>');
  await call('/v1/admin/invitations', {
    method: 'POST',
    headers: { authorization: `Bearer ${await bearer(LOCAL_ADMINISTRATOR)}` },
    body: JSON.stringify({ email }),
  });
  console.log(`${email.toLowerCase()}: a new invitation was mailed (a new temporary password)`);
}

async function undeliverable(args: string[]) {
  options(args, {});
  const administrator = { authorization: `Bearer ${await bearer(LOCAL_ADMINISTRATOR)}` };
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = (await call(`/v1/admin/undeliverable${cursor ? `?cursor=${cursor}` : ''}`, {
      headers: administrator,
    })) as { items: { address: string; reason: string; at: string }[]; cursor?: string };
    for (const a of page.items) console.log(`${a.address}  ${a.reason} since ${a.at}`);
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor);
  if (!count) console.log('every address takes mail');
}

async function clearAddress(args: string[]) {
  const usage = 'usage: casework admin clear-address <email>';
  const { positionals } = options(args, {}, true);
  const [email = fail('email', usage), extra] = positionals;
  if (extra !== undefined) fail(extra, `unexpected argument; ${usage}`);
  await call(`/v1/admin/undeliverable/${encodeURIComponent(email)}/clear`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await bearer(LOCAL_ADMINISTRATOR)}` },
    body: '{}',
  });
  console.log(`${email.toLowerCase()}: mail goes to it again (set-aside case mail at its next try)`);
}

/** Runs `casework admin …`; bad input exits 2 with the field named, as every command does. */
export async function admin(args: string[]): Promise<void> {
  if (args[0] === 'apply') return apply(args.slice(1));
  if (args[0] === 'export') return exportCatalogue(args.slice(1));
  if (args[0] === 'reinvite') return reinvite(args.slice(1));
  if (args[0] === 'undeliverable') return undeliverable(args.slice(1));
  if (args[0] === 'clear-address') return clearAddress(args.slice(1));
  return fail('admin', USAGE);
}
