import { followUpDueAt } from '../cases/follow-ups.ts';
import { STATUSES, type Status, type StoredCase, WORKFLOW_STATE } from '../cases/model.ts';
import { nextObligationDeadline, nextTargetDeadline } from '../cases/sla.ts';
import { purgeDueAt, reopenPending } from '../cases/transitions.ts';
import { DomainError } from '../errors.ts';
import type { FileRecord } from '../files/model.ts';
import { getCase, markWorkflowDone, setFilesClosed, storeWaitToken } from '../store/cases.ts';
import { listFileRecords, putFileRecord } from '../store/file-records.ts';
import { abortMultipart, deleteCaseObjects, hideObjects, objectSize, showObjects } from '../store/files.ts';
import { applyCommand, flushOutbox, outboxDueAt } from './cases.ts';
import { refuseUpload } from './files.ts';

/** The longest single wait: the workflow re-reads the case at least this often. */
const MAX_WAIT_SECONDS = 30 * 86_400;

/** Standard workflows end at one year or 25,000 history events: continue well before either. */
const CONTINUE_AFTER_DAYS = 300;
/** A wait cycle writes about 15 history events. */
const CONTINUE_AFTER_CYCLES = 1_000;

export interface RouteInput {
  caseId: string;
  cycles: number;
  generation: number;
  /** When this execution started (from its input). */
  startedAt: string;
}

export interface Route {
  caseId: string;
  startedAt: string;
  /** Wait cycles of this execution so far, and which execution of the case's life it is. */
  cycles: number;
  generation: number;
  /** The state to resume at: a status's state, `Purge`, or `Done`. */
  state: string;
  /** Seconds until the next deadline: the wait state's timeout. */
  waitSeconds: number;
  /** The case revision this route was computed from; the wait refuses to start on a newer one. */
  revision: number;
}

/** The earliest instant at which the workflow has something to do for this case. */
export function nextDeadline(c: StoredCase, now: Date): Date | null {
  const candidates = [
    c.status === 'Closed' ? null : followUpDueAt(c),
    nextTargetDeadline(c, now),
    nextObligationDeadline(c, now),
    purgeDueAt(c),
    outboxDueAt(c, now),
  ].filter((d): d is Date => d !== null);
  return candidates.length ? new Date(Math.min(...candidates.map((d) => d.getTime()))) : null;
}

/** Where the execution resumes, and for how long it may wait there (the entry Choice's input). */
export async function route(input: RouteInput, now: Date): Promise<Route> {
  const { caseId, generation } = input;
  const cycles = input.cycles + 1;
  const c = await getCase(caseId);
  const base = {
    caseId,
    cycles,
    generation,
    startedAt: input.startedAt,
    waitSeconds: 0,
    revision: c?.revision ?? 0,
  };
  if (!c || c.workflowDone) return { ...base, state: 'Done' };
  const age = now.getTime() - Date.parse(input.startedAt);
  if (cycles > CONTINUE_AFTER_CYCLES || age > CONTINUE_AFTER_DAYS * 86_400_000)
    return { ...base, state: 'ContinueAsNew' };
  // A change that crashed half-way is completed here, whoever notices first.
  // A mail SES could not take is tried once more at once, then at the next wake.
  if (!(await flushOutbox(caseId, now, undefined, { awake: true, read: c }))) await flushOutbox(caseId, now);
  await placeFiles(c);
  const purgeAt = purgeDueAt(c);
  if (purgeAt && purgeAt <= now) return { ...base, state: 'Purge' };
  // Mails that did not go (set aside, or SES out of reach) wake the workflow to try again.
  const hadMail = Object.values(c.outbox ?? {}).some((e) => e.type === 'mail');
  const deadline = nextDeadline(hadMail ? ((await getCase(caseId)) ?? c) : c, now);
  const seconds = deadline ? Math.ceil((deadline.getTime() - now.getTime()) / 1000) : MAX_WAIT_SECONDS;
  return {
    ...base,
    state: WORKFLOW_STATE[c.status],
    waitSeconds: Math.min(Math.max(seconds, 1), MAX_WAIT_SECONDS),
    revision: c.revision,
  };
}

/** Raised when the case moved on between routing and waiting: the workflow routes again. */
export class CaseMoved extends DomainError {
  constructor(caseId: string) {
    super(409, 'CaseMoved', `case ${caseId} changed before its wait started`);
    this.name = 'CaseMoved';
  }
}

const statusOfState = (state: string): Status => {
  const status = STATUSES.find((s) => WORKFLOW_STATE[s] === state);
  if (!status) throw new Error(`no status for workflow state ${state}`);
  return status;
};

/** Stores the wait's task token on the case, while the case is as the route saw it. */
export async function beginWait(
  caseId: string,
  state: string,
  revision: number,
  token: string,
): Promise<void> {
  const stored = await storeWaitToken(caseId, state, statusOfState(state), revision, token);
  if (!stored) throw new CaseMoved(caseId);
}

/**
 * A wait timed out: send the follow-up, close for no response, record SLA targets, as due. Run
 * twice for one deadline, the second run finds nothing left to do and writes nothing.
 */
export async function handleDeadline(caseId: string, now: () => Date): Promise<void> {
  if (!(await getCase(caseId))) return;
  await applyCommand(caseId, { kind: 'deadline' }, { kind: 'system' }, now);
}

/** The end of a case's life: the reopen window is over; its files go (SPEC §7), recorded on the case. */
export async function purge(caseId: string, now: Date): Promise<void> {
  for (const file of await listFileRecords(caseId)) {
    if (file.uploadId && file.status === 'pending')
      await abortMultipart(file.key, file.uploadId).catch(() => {});
  }
  const objects = await deleteCaseObjects(caseId);
  await markWorkflowDone(caseId, { at: now.toISOString(), objects });
}

/**
 * Keeps the files as the status says: hidden behind delete markers while Closed (the lifecycle
 * rule's 30 days count from the closure), shown again once reopened, and while a request to reopen
 * awaits support's answer (so that the lifecycle rule cannot take them meanwhile). Safe to repeat
 * after a crash.
 */
async function placeFiles(c: StoredCase): Promise<void> {
  const closed = c.status === 'Closed' && !reopenPending(c);
  if (closed === !!c.filesClosed) return;
  const files = await listFileRecords(c.caseId);
  for (const [i, f] of files.entries()) {
    if (!closed || f.status !== 'pending') continue;
    // At closure a single PUT that has landed is uploaded; any other pending upload is refused.
    if (!f.uploadId && (await objectSize(f.key)) !== null) {
      files[i] = { ...f, status: 'uploaded' };
      await putFileRecord(files[i] as FileRecord);
    } else await refuseUpload(f);
  }
  const keys = files.filter((f) => f.status === 'uploaded').map((f) => f.key);
  await (closed ? hideObjects(keys) : showObjects(keys));
  await setFilesClosed(c.caseId, closed);
}
