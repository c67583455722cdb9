import { policy } from '../../catalogue/index.ts';
import { conflict, invalid } from '../../errors.ts';
import { addBusinessDays } from '../../sla/business-time.ts';
import { calendarOf } from '../../sla/calendars.ts';
import { ACTIVE, type Change, type Command, type Rules } from '../decision.ts';

type ChangeRequestCommand = Extract<
  Command,
  {
    kind:
      | 'acknowledge-change'
      | 'decide-change'
      | 'require-services-order'
      | 'sign-services-order'
      | 'complete-change';
  }
>;

const ORDER_PENDING = 'Order Pending';

/** Feature requests and cloud change requests (SPEC §10). */
export const requestRules: Rules<
  | 'refer-to-product-management'
  | 'raise-feature-request'
  | 'update-feature-request'
  | 'acknowledge-change'
  | 'decide-change'
  | 'require-services-order'
  | 'sign-services-order'
  | 'resubmit-change'
  | 'complete-change'
> = {
  'refer-to-product-management': (ch, command) => {
    const { c, next } = ch;
    featureRequestCase(ch);
    ch.requireStatus('Open');
    if (c.featureEvaluation)
      throw conflict(`product management has been evaluating it since ${c.featureEvaluation.since}`);
    ch.requireNote(command.note);
    // "Your associated SR will remain open" while product management evaluates (up to 55 BD).
    const days = policy.windows.featureEvaluationBusinessDays;
    next.featureEvaluation = {
      since: ch.at,
      due: addBusinessDays(calendarOf(c.centre), ch.now, days).due.toISOString(),
    };
    ch.note(command.note, 'public');
    ch.moveTo('Open', 'PM Review');
    ch.supportActed();
    ch.mail({ kind: 'response', to: c.contact, note: command.note });
  },

  'raise-feature-request': (ch, command) => {
    const { c, next } = ch;
    featureRequestCase(ch);
    ch.requireStatus(...ACTIVE);
    ch.requireNote(command.note);
    // The FR goes Under Review, with its next update due within the evaluation time; the case closes.
    const days = policy.windows.featureEvaluationBusinessDays;
    const nextUpdateDue = addBusinessDays(calendarOf(c.centre), ch.now, days).due.toISOString();
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
    const text = `Feature request ${c.featureRequest.number}: ${command.status}${command.targetRelease ? ` (${command.targetRelease})` : ''}${command.resolution ? ` (${command.resolution})` : ''}`;
    ch.note(text, 'public');
    // FR status changes are mailed to the case contact (SPEC §10).
    ch.mail({ kind: 'response', to: c.contact, note: text });
  },

  'acknowledge-change': (ch, command) => {
    const cr = changeRequestOf(ch, command);
    if (cr.acknowledgedAt) throw conflict('the change request is already acknowledged');
    cr.acknowledgedAt = ch.at;
    changeRequestAnswered(ch, command, cr);
    ch.mail({ kind: 'response', to: ch.c.contact, note: command.note });
  },

  'decide-change': (ch, command) => {
    const cr = changeRequestOf(ch, command);
    if (cr.decision) throw conflict(`the change request was already ${cr.decision}`);
    cr.acknowledgedAt ??= ch.at;
    cr.decision = command.decision;
    cr.decidedAt = ch.at;
    changeRequestAnswered(ch, command, cr);
    if (command.decision === 'rejected') {
      // Returned to the customer to modify and resubmit: the case stays open (SPEC §10).
      ch.moveTo('Awaiting Info', 'Info Required from Customer');
      ch.waitOnCustomer('provide-information');
      ch.mail({ kind: 'info-requested', to: ch.c.contact, note: `Change request returned: ${command.note}` });
    } else ch.mail({ kind: 'response', to: ch.c.contact, note: command.note });
  },

  'require-services-order': (ch, command) => {
    const cr = changeRequestOf(ch, command);
    if (cr.decision !== 'accepted') throw conflict('a Services Order follows the acceptance of the change');
    if (cr.servicesOrder)
      throw conflict(`a Services Order was already required at ${cr.servicesOrder.requiredAt}`);
    cr.servicesOrder = { requiredAt: ch.at };
    changeRequestAnswered(ch, command, cr);
    ch.moveTo('Open', ORDER_PENDING);
    ch.mail({ kind: 'response', to: ch.c.contact, note: command.note });
  },

  'sign-services-order': (ch, command) => {
    const cr = changeRequestOf(ch, command);
    if (!cr.servicesOrder || cr.servicesOrder.signedAt)
      throw conflict('no Services Order is waiting for its signature');
    cr.servicesOrder = { ...cr.servicesOrder, signedAt: ch.at };
    changeRequestAnswered(ch, command, cr);
    ch.moveTo('Open', 'Investigation');
  },

  'resubmit-change': (ch, command) => {
    const { c, next } = ch;
    ch.requireCustomer();
    ch.requireStatus(...ACTIVE);
    if (c.changeRequest?.decision !== 'rejected')
      throw conflict('only a rejected change request is resubmitted');
    ch.requireNote(command.note);
    // A new request: acknowledged within 1 BD and decided within 2 BD of the resubmission.
    next.changeRequest = { resubmittedAt: ch.at };
    ch.note(command.note, 'public');
    ch.moveTo('Open', 'Customer Responded');
  },

  'complete-change': (ch, command) => {
    const cr = changeRequestOf(ch, command);
    if (cr.decision !== 'accepted') throw conflict('only an accepted change request can be completed');
    if (cr.servicesOrder && !cr.servicesOrder.signedAt)
      throw conflict(`the Services Order is not signed yet (${ORDER_PENDING})`);
    cr.completedAt = ch.at;
    changeRequestAnswered(ch, command, cr);
    ch.close('Software Request Fulfilled', `Change completed: ${command.note}`);
  },
};

function featureRequestCase(ch: Change): void {
  ch.requireEngineer();
  if (ch.c.type !== 'feature-request')
    throw conflict(`case ${ch.c.number} is a ${ch.c.type}, not a feature request`);
}

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
}
