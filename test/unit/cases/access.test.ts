import { describe, expect, it } from 'vitest';
import {
  type CaseOperation,
  type DeskOperation,
  mayAtDesk,
  mayOnAccount,
  mayOnCase,
  type Principal,
  principalOf,
  principalOfActor,
  readableAccounts,
} from '#shared/cases/access.ts';

/** Who may do what (SPEC §1), every role against every operation on an acme case and account. */
const roles: Record<string, Principal> = {
  engineer: { kind: 'engineer', email: 'eve@support.example' },
  designated: { kind: 'customer', email: 'dana@acme.example', grants: { acme: 3 } },
  'read-only': { kind: 'customer', email: 'rita@acme.example', grants: { acme: 2 } },
  'knowledge base': { kind: 'customer', email: 'kb@acme.example', grants: { acme: 1 } },
  'other account': { kind: 'customer', email: 'gus@globex.example', grants: { globex: 3 } },
  'no grants': { kind: 'customer', email: 'nobody@elsewhere.example', grants: {} },
  system: { kind: 'system' },
};

const acmeCase = { account: 'acme', number: '0000000001' };
type Row = Record<CaseOperation | 'list-cases' | 'open-case' | DeskOperation, boolean>;
const Y = true;
const N = false;

//                        read write internal support customer list  open  triage queues reports
const table: Record<string, boolean[]> = {
  engineer: /*         */ [Y, Y, Y, Y, N, Y, Y, Y, Y, Y],
  designated: /*       */ [Y, Y, N, N, Y, Y, Y, N, N, N],
  'read-only': /*      */ [Y, N, N, N, N, Y, N, N, N, N],
  'knowledge base': /* */ [N, N, N, N, N, N, N, N, N, N],
  'other account': /*  */ [N, N, N, N, N, N, N, N, N, N],
  'no grants': /*      */ [N, N, N, N, N, N, N, N, N, N],
  system: /*           */ [N, N, N, N, N, N, N, N, N, N],
};
const columns = [
  'read',
  'write',
  'read-internal',
  'support',
  'customer',
  'list-cases',
  'open-case',
  'triage',
  'queues',
  'reports',
] as const;

const decide = (who: Principal, op: (typeof columns)[number]) => {
  if (op === 'list-cases' || op === 'open-case') return mayOnAccount(who, op, 'acme');
  if (op === 'triage' || op === 'queues' || op === 'reports') return mayAtDesk(who, op);
  return mayOnCase(who, op, acmeCase);
};

describe('access: roles × operations (one table)', () => {
  for (const [role, expected] of Object.entries(table)) {
    const row = Object.fromEntries(columns.map((op, i) => [op, expected[i]])) as Row;
    it(`${role}: ${columns.filter((op) => row[op]).join(', ') || 'nothing'}`, () => {
      const who = roles[role] as Principal;
      expect(Object.fromEntries(columns.map((op) => [op, decide(who, op)]))).toEqual(row);
    });
  }
});

describe('access: edges', () => {
  it('an account named like an inherited property is nobody’s', () => {
    const dana = roles.designated as Principal;
    for (const account of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      expect(mayOnAccount(dana, 'list-cases', account), account).toBe(false);
  });

  it('a user is seen by role: engineers everywhere, customers by their grants', () => {
    const user = {
      email: 'rita@acme.example',
      name: 'Rita',
      role: 'customer' as const,
      grants: { acme: 2 as const },
    };
    expect(principalOf(user)).toEqual({ kind: 'customer', email: user.email, grants: { acme: 2 } });
    expect(mayOnCase(user, 'read', acmeCase)).toBe(true);
    expect(mayOnCase(user, 'write', acmeCase)).toBe(false);
  });

  it('a case change’s actor: a contact acts as the designated contact its route checked', () => {
    expect(
      mayOnCase(
        principalOfActor({ kind: 'contact', email: 'dana@acme.example' }, 'acme'),
        'customer',
        acmeCase,
      ),
    ).toBe(true);
    expect(
      mayOnCase(
        principalOfActor({ kind: 'engineer', email: 'eve@support.example' }, 'acme'),
        'support',
        acmeCase,
      ),
    ).toBe(true);
    expect(mayOnCase(principalOfActor({ kind: 'system' }, 'acme'), 'support', acmeCase)).toBe(false);
  });

  it('the accounts a principal may list', () => {
    expect(readableAccounts(roles.engineer as Principal)).toBe('all');
    expect(
      readableAccounts({ kind: 'customer', email: 'x@y', grants: { acme: 2, globex: 1, initech: 3 } }),
    ).toEqual(['acme', 'initech']);
  });
});
