import { mayOnCase } from '../cases/access.ts';
import type { StoredCase } from '../cases/model.ts';
import { invalid } from '../errors.ts';
import { getCase } from '../store/cases.ts';
import type { Page } from '../store/dynamo.ts';
import { queryTerms, searchCases } from '../store/search.ts';
import type { Caller } from './cases.ts';

/**
 * Server-side search (`GET /v1/cases?q=`) among the cases the caller may list, in one account or
 * (engineers) all of them: a case number exactly, with or without its zero padding (first, on the
 * first page); words of subjects by prefix, accents and case ignored; contacts' e-mails. Newest
 * case first within a page.
 */
export async function searchReadableCases(
  caller: Caller,
  scope: { account?: string },
  q: string,
  cursor?: string,
): Promise<Page<StoredCase>> {
  const text = q.trim();
  const isNumber = /^\d{1,10}$/.test(text);
  if (!isNumber && queryTerms(text).length === 0)
    throw invalid('q', 'give a word of at least 2 letters or digits, an e-mail address or a case number');
  const [numbered, words] = await Promise.all([
    isNumber && !cursor ? getCase(text.padStart(10, '0')) : undefined,
    queryTerms(text).length
      ? searchCases(scope.account ? { account: scope.account } : 'ALL', text, cursor)
      : ({ items: [] } as Page<StoredCase>),
  ]);
  const readable = (c: StoredCase) =>
    mayOnCase(caller, 'read', c) && (!scope.account || c.account === scope.account);
  const first = numbered && readable(numbered) ? [numbered] : [];
  const items = [...first, ...words.items.filter((c) => readable(c) && c.caseId !== numbered?.caseId)];
  return words.cursor ? { items, cursor: words.cursor } : { items };
}
