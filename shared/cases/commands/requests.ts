import { conflict, invalid } from '../../errors.ts';
import { addBusinessDays } from '../../sla/business-time.ts';
import { calendarOf } from '../../sla/calendars.ts';
import { ACTIVE, type Change, type Command, type Rules } from '../decision.ts';

type ChangeRequestCommand = Extract<
  Command,
  { kind: 'acknowledge-change' | 'decide-change' | 'complete-change' }
>;

/** Feature requests and cloud change requests (SPEC §10). */
export const requestRules: Rules<
  | 'raise-feature-request'
  | 'update-feature-request'
  | 'acknowledge-change'
  | 'decide-change'
  | 'complete-change'
> = {
  'raise-feature-request': (ch, command) => {
    const { c, next } = ch;
    ch.requireEngineer();
    ch.requireStatus(...ACTIVE);
    if (c.type !== 'feature-request')
      throw conflict(`case ${c.number} is a ${c.type}, not a feature request`);
    ch.requireNote(command.note);
    // Product management evaluates for up to 55 BD; the case closes when the FR goes Under Review.
    const nextUpdateDue = addBusinessDays(calendarOf(c.centre), ch.now, 55).due.toISOString();
    next.featureRequest = { number: command.frNumber, status: 'Under Review', nextUpdateDue };
    ch.note(`Feature request ${command.frNumber} raised: ${command.note}`, 'public');
    ch.close('Feature Request', `Logged as feature request ${command.frNumber}`);
  },

  'update-feature-request': (ch, command) => {
    const { c } = ch;
    ch.requireEngineer();
    if (!c.featureRequest) throw conflict(`case ${c.number} has no feature request`);
    if (command.status === 'Closed' && !command.resolution)
      throw invalid('resolution', 'declined, duplicate or implemented');
    if (command.status === 'Scheduled' && !command.targetRelease)
      throw invalid('targetRelease', 'required when scheduled');
    ch.next.featureRequest = {
      ...c.featureRequest,
      status: command.status,
      ...(command.nextUpdateDue ? { nextUpdateDue: command.nextUpdateDue } : {}),
      ...(command.targetRelease ? { targetRelease: command.targetRelease } : {}),
      ...(command.resolution ? { resolution: command.resolution } : {}),
      ...(command.status === 'Closed' ? { closedAt: ch.at } : {}),
    };
    ch.note(
      `Feature request ${c.featureRequest.number}: ${command.status}${command.targetRelease ? ` (${command.targetRelease})` : ''}${command.resolution ? ` (${command.resolution})` : ''}`,
      'public',
    );
  },

  'acknowledge-change': (ch, command) => {
    const cr = changeRequestOf(ch, command);
    if (cr.acknowledgedAt) throw conflict('the change request is already acknowledged');
    cr.acknowledgedAt = ch.at;
    changeRequestAnswered(ch, command, cr);
  },

  'decide-change': (ch, command) => {
    const cr = changeRequestOf(ch, command);
    if (cr.decision) throw conflict(`the change request was already ${cr.decision}`);
    cr.acknowledgedAt ??= ch.at;
    cr.decision = command.decision;
    cr.decidedAt = ch.at;
    changeRequestAnswered(ch, command, cr);
    if (command.decision === 'rejected') ch.close('Cancelled', `Change rejected: ${command.note}`);
    else ch.mail({ kind: 'response', to: ch.c.contact, note: command.note });
  },

  'complete-change': (ch, command) => {
    const cr = changeRequestOf(ch, command);
    if (cr.decision !== 'accepted') throw conflict('only an accepted change request can be completed');
    cr.completedAt = ch.at;
    changeRequestAnswered(ch, command, cr);
    ch.close('Software Request Fulfilled', `Change completed: ${command.note}`);
  },
};

/** The change request of a cloud change-request case, as a copy to change; refused on any other case. */
function changeRequestOf(ch: Change, command: ChangeRequestCommand) {
  const { c } = ch;
  ch.requireEngineer();
  ch.requireStatus(...ACTIVE);
  if (c.type !== 'change-request' || !ch.plan.cloud)
    throw conflict(`case ${c.number} is not a cloud change request`);
  ch.requireNote(command.note);
  return { ...c.changeRequest };
}

function changeRequestAnswered(
  ch: Change,
  command: ChangeRequestCommand,
  cr: NonNullable<typeof ch.next.changeRequest>,
): void {
  ch.next.changeRequest = cr;
  ch.note(command.note, 'public');
  ch.supportActed();
  if (command.kind === 'acknowledge-change')
    ch.mail({ kind: 'response', to: ch.c.contact, note: command.note });
}
