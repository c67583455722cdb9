import { describe, expect, it } from 'vitest';
import { queryTerms, searchItemsOf, searchTermsOf, wordsOf } from '#shared/store/search.ts';

describe('search words (server-side search)', () => {
  it('words are letters and digits, at least 2, lower case, without accents, each once', () => {
    expect(wordsOf('Café: Agents cannot log-in (v12.4), a CAFE again')).toEqual([
      'cafe',
      'agents',
      'cannot',
      'log',
      'in',
      'v12',
      'again',
    ]);
  });

  it('a case is found by the first 20 words of its subject and its contact’s e-mail', () => {
    const subject = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const terms = searchTermsOf({ subject, contact: 'Dana@Acme.example' });
    expect(terms).toHaveLength(21);
    expect(terms.at(-1)).toBe('dana@acme.example');
  });

  it('each term is written for every case and for the account, under its first two letters', () => {
    const items = searchItemsOf({
      caseId: '0000000042',
      account: 'acme',
      subject: 'Login',
      contact: 'dev@acme.example',
    });
    expect(items).toEqual([
      { pk: 'SEARCH#ALL#lo', sk: 'login#0000000042', caseId: '0000000042' },
      { pk: 'SEARCH#A#acme#lo', sk: 'login#0000000042', caseId: '0000000042' },
      { pk: 'SEARCH#ALL#de', sk: 'dev@acme.example#0000000042', caseId: '0000000042' },
      { pk: 'SEARCH#A#acme#de', sk: 'dev@acme.example#0000000042', caseId: '0000000042' },
    ]);
  });

  it('a query’s terms: e-mail addresses whole, words as in subjects, the longest first', () => {
    expect(queryTerms('Log  Dev@Acme.example  agénts')).toEqual(['dev@acme.example', 'agents', 'log']);
    expect(queryTerms('a - ! @')).toEqual([]);
  });
});
