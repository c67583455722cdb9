import path from 'node:path';
import { entriesOf } from '#shared/catalogue/provisioning.ts';
import { readCatalogueFile } from './catalogue-file.ts';

/** The demo catalogue (SPEC §12): a catalogue file, provisioned through the admin API like any other. */
export const DEMO_CATALOGUE_FILE = path.join(import.meta.dirname, 'demo-catalogue.yaml');
export const demoCatalogue = readCatalogueFile(DEMO_CATALOGUE_FILE);
export const { accounts: demoAccounts, users: demoUsers } = entriesOf(demoCatalogue);

/**
 * Provisions the demo catalogue as `casework admin apply` does: a `POST /v1/admin/catalogue`
 * invoking the admin function, signed in as the pool's administrator. Idempotent, so it runs on
 * every start and a data folder keeps up with the file.
 */
export async function provisionDemo(
  invokeAdmin: (event: unknown) => Promise<unknown>,
  administrator: { sub: string; email: string; groups: string[] },
): Promise<void> {
  const routeKey = 'POST /v1/admin/catalogue';
  const result = (await invokeAdmin({
    version: '2.0',
    routeKey,
    rawPath: '/v1/admin/catalogue',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      requestId: 'provision-demo',
      routeKey,
      http: { method: 'POST', path: '/v1/admin/catalogue' },
      authorizer: {
        jwt: {
          claims: {
            sub: administrator.sub,
            email: administrator.email,
            email_verified: 'true',
            'cognito:groups': `[${administrator.groups.join(' ')}]`,
          },
          scopes: [],
        },
      },
    },
    body: JSON.stringify(demoCatalogue),
    isBase64Encoded: false,
  })) as { statusCode: number; body: string };
  if (result.statusCode !== 200) throw new Error(`the demo catalogue was refused: ${result.body}`);
}
