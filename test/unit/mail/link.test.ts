import { describe, expect, it } from 'vitest';
import { subjectCaseNumber } from '#shared/mail/link.ts';

describe('the case number in a subject (SPEC §6)', () => {
  it.each([
    ['Case # 1234567890', '1234567890'],
    ['RE: AW: Case # 42', '0000000042'],
    ['Logs for Case # 0000000042 as promised', '0000000042'],
    ['Update (case #42)', '0000000042'],
    ['SR# 12345 follow-up', '0000012345'],
    ['Re: SR# 12345', '0000012345'],
  ])('%s links to case %s', (subject, number) => {
    expect(subjectCaseNumber(subject)).toBe(number);
  });

  it.each([
    'Our server is down',
    'Follow-up on SR# 12345', // SR# only at the start
    'Showcase # 42', // not the word "case"
    'Case # 12345678901', // more than 10 digits
  ])('%s links to nothing', (subject) => {
    expect(subjectCaseNumber(subject)).toBeNull();
  });
});
