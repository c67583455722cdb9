import type { Account, User } from '#shared/store/repository.ts';

/** The demo catalogue loaded on first start (SPEC §12). */
export const demoAccounts: Account[] = [
  {
    id: 'acme',
    name: 'Acme Corporation',
    plan: 'business-care',
    centre: 'emea',
    contract: { start: '2024-01-01', end: '2030-12-31' },
    products: ['Contact Center', 'Workforce Management', 'Analytics'],
  },
  {
    id: 'globex',
    name: 'Globex',
    plan: 'business-care-for-cloud',
    centre: 'north-america',
    contract: { start: '2024-01-01', end: '2030-12-31' },
    products: ['Contact Center', 'Cloud Voice'],
  },
];

export const demoUsers: User[] = [
  { email: 'dana@acme.example', name: 'Dana', role: 'customer', grants: { acme: 3 } },
  { email: 'dev@acme.example', name: 'Dev', role: 'customer', grants: { acme: 3 } },
  { email: 'rita@acme.example', name: 'Rita', role: 'customer', grants: { acme: 2 } },
  { email: 'gus@globex.example', name: 'Gus', role: 'customer', grants: { globex: 3 } },
  // A cloud plan needs two designated contacts (SPEC §1).
  { email: 'gina@globex.example', name: 'Gina', role: 'customer', grants: { globex: 3 } },
  { email: 'eve@support.example', name: 'Eve', role: 'engineer', grants: {} },
];
