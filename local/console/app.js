// The engineers' console: a static page over the casework HTTP API (the same API on AWS).
// Engineers sign in (the user pool, or a token); nothing is shown until they have.
import {
  API,
  apiClient,
  downloadFile,
  esc,
  focusHeading,
  latestOnly,
  say,
  session,
  showError,
  signInPage,
  uid,
} from '../web/shared.js';

const main = document.getElementById('main');
const who = session('casework-token');
const { token, me } = who;
const api = apiClient(who, {
  onSignedOut: () => render(),
  signedOutMessage: 'signed out: the token was refused',
});

const STATUSES = ['Open', 'Awaiting Info', 'Solution Proposed', 'Closed'];
const SEVERITIES = ['critical-production-down', 'critical', 'high', 'medium', 'low'];
const CLOSED_AS = [
  'Resolved',
  'Cancelled',
  'No Response',
  'Customer Resolved Issue',
  'Duplicate Request',
  'General Question Answered',
  'Working as Designed',
  'Feature Request',
  'Problem External',
  'Referred to Other Department',
  'Logged for Future Fix',
];
/** The workflow states that are case statuses; the others are the workflow's own machinery. */
const CASE_STATES = new Set(['Open', 'AwaitingInfo', 'SolutionProposed', 'Closed']);
/** "Breaching soon": a running target due within this much wall time. */
const SOON_MS = 8 * 3_600_000;

const when = (iso) => (iso ? `${new Date(iso).toISOString().replace('T', ' ').slice(0, 16)}Z` : '—');
const precise = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 23) : '');
/** A span of time for people: "3 d 4 h", "2 h 5 min", "40 s". */
function span(ms) {
  const s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min`;
  return `${s} s`;
}
/** A read the API may not offer (an older stack): undefined instead of an error. */
const optional = (path) => api(path).catch(() => undefined);

let now = Date.now();
/** Virtual time, locally; wall time elsewhere. */
async function refreshNow() {
  const res = await fetch(`${API}/_local/clock`).catch(() => null);
  now = res?.ok ? Date.parse((await res.json()).now) : Date.now();
}

// ——— Case list ———

/** The next running target of a case: the one a person must watch. */
function nextDue(c) {
  const running = Object.entries(c.sla ?? {}).filter(
    ([, t]) => t.due && t.outcome?.state === 'pending' && !t.paused,
  );
  running.sort(([, a], [, b]) => Date.parse(a.due) - Date.parse(b.due));
  const [kind, t] = running[0] ?? [];
  return t ? { kind, due: t.due } : undefined;
}
function countdown(c) {
  const next = nextDue(c);
  if (!next) {
    const paused = Object.values(c.sla ?? {}).some((t) => t.paused);
    return paused ? '<span class="muted">paused</span>' : '<span class="muted">—</span>';
  }
  const left = Date.parse(next.due) - now;
  const cls = left < 0 ? 'late' : left < SOON_MS ? 'soon' : '';
  const text = left < 0 ? `${span(left)} overdue` : `in ${span(left)}`;
  return `<span class="due ${cls}" title="${esc(next.kind)} due ${when(next.due)}">${esc(next.kind)} ${text}</span>`;
}
const breachedBadge = (c) =>
  Object.values(c.sla ?? {}).some((t) => t.outcome?.state === 'breached')
    ? ' <span class="badge breached">breached</span>'
    : '';

let queuesOffered;
/** Whether the API answers the owner queues (`?queue=`): the tabs are shown only then. */
async function queuesAvailable() {
  queuesOffered ??= api('/v1/cases?queue=mine')
    .then(() => true)
    .catch(() => false);
  return queuesOffered;
}

// Newest first by case number, as the API answers its pages; newest first by last update.
const SORTS = {
  number: (a, b) => b.number.localeCompare(a.number),
  severity: (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
  due: (a, b) =>
    (Date.parse(nextDue(a)?.due ?? '') || Infinity) - (Date.parse(nextDue(b)?.due ?? '') || Infinity),
  updated: (a, b) => b.updatedAt.localeCompare(a.updatedAt),
};

async function casesPage(params) {
  const queue = params.get('queue') ?? '';
  const withQueues = await queuesAvailable();
  const q = new URLSearchParams();
  for (const name of ['status', 'severity', 'account', 'breached', 'cursor', 'q'])
    if (params.get(name)) q.set(name, params.get(name));
  if (queue && queue !== 'soon' && withQueues) q.set('queue', queue);
  const page = await api(`/v1/cases?${q}`);
  const search = (params.get('q') ?? '').trim().toLowerCase();
  // The API searches every case (`q`); a queue, which it does not search, is searched within its page.
  let items = page.items.filter(
    (c) =>
      !search ||
      !q.has('queue') ||
      [c.number, String(Number(c.number)), c.subject, c.account, c.contact, c.product, c.owner]
        .join(' ')
        .toLowerCase()
        .includes(search),
  );
  if (queue === 'soon') {
    items = items.filter((c) => {
      const next = nextDue(c);
      return next && Date.parse(next.due) - now < SOON_MS;
    });
  }
  const sort = params.get('sort') ?? (queue ? 'due' : 'number');
  items.sort(SORTS[sort] ?? SORTS.number);
  const pageNumber = Number(params.get('page') ?? 1);
  const link = (changes) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    return `#/cases?${next}`;
  };
  const tab = (value, label) =>
    `<a class="tab" href="#/cases${value ? `?queue=${value}` : ''}" ${queue === value ? 'aria-current="page"' : ''}>${label}</a>`;
  // Updates sort newest first; the others smallest (or most urgent) first.
  const header = (key, label) => {
    const [order, arrow] = key === 'updated' || key === 'number' ? ['descending', '▼'] : ['ascending', '▲'];
    return `<th scope="col" ${sort === key ? `aria-sort="${order}"` : ''}><a class="sort" href="${link({ sort: key })}">${label}${sort === key ? ` ${arrow}` : ''}</a></th>`;
  };
  const hasOwner = page.items.some((c) => 'owner' in c);
  main.innerHTML = `<h2>Cases</h2>
    <div class="tabs" role="navigation" aria-label="queues">${tab('', 'All cases')}${withQueues ? tab('unowned', 'Unowned in my centre') + tab('mine', 'My cases') : ''}${tab('soon', 'Breaching soon')}</div>
    <form class="filters" id="filters">
      <label>Search <input name="q" type="search" value="${esc(params.get('q'))}" placeholder="number, subject words, contact e-mail"></label>
      <label>Status <select name="status" aria-label="Status"><option value="">any</option>${STATUSES.map((s) => `<option ${params.get('status') === s ? 'selected' : ''}>${s}</option>`).join('')}</select></label>
      <label>Severity <select name="severity" aria-label="Severity"><option value="">any</option>${SEVERITIES.map((s) => `<option ${params.get('severity') === s ? 'selected' : ''}>${s}</option>`).join('')}</select></label>
      <label>Account <input name="account" size="10" value="${esc(params.get('account'))}"></label>
      <label><input type="checkbox" name="breached" value="true" ${params.get('breached') ? 'checked' : ''}> breached only</label>
      <input type="hidden" name="queue" value="${esc(queue)}">
      <button type="submit">Apply</button>
    </form>
    <p id="page-info">Page ${pageNumber}: ${items.length} case${items.length === 1 ? '' : 's'} shown${search ? ` matching “${esc(search)}”` : ''}${page.cursor ? '; more cases on the next page' : pageNumber > 1 ? '; the last page' : ''}.</p>
    <table id="cases"><thead><tr>${header('number', 'Case')}<th scope="col">Subject</th><th scope="col">Account</th>${header('severity', 'Severity')}<th scope="col">Status</th>${hasOwner ? '<th scope="col">Owner</th>' : ''}${header('due', 'Next due')}${header('updated', 'Updated')}</tr></thead>
    <tbody>${items
      .map(
        (
          c,
        ) => `<tr class="case-row" data-number="${esc(c.number)}"><td><a href="#/case/${esc(c.number)}">${esc(c.number)}</a></td><td>${esc(c.subject)}</td><td>${esc(c.account)}</td><td><span class="sev ${esc(c.severity)}">${esc(c.severity)}</span></td>
        <td>${esc(c.status)} / ${esc(c.subStatus)}${breachedBadge(c)}</td>${hasOwner ? `<td>${esc(c.owner ?? 'unowned')}</td>` : ''}<td>${countdown(c)}</td><td>${when(c.updatedAt)}</td></tr>`,
      )
      .join('')}</tbody></table>
    ${items.length ? '' : '<p class="empty">No case here.</p>'}
    <nav class="pager" aria-label="pages">
      ${pageNumber > 1 ? '<button type="button" id="previous-page">← Previous page</button>' : ''}
      ${page.cursor ? `<a class="button" id="next-page" href="${link({ cursor: page.cursor, page: pageNumber + 1 })}">Next page →</a>` : ''}
    </nav>`;
  document.getElementById('filters').onsubmit = (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const text = String(form.get('q') ?? '').trim();
    // A case number goes straight to its case.
    if (/^\d{1,10}$/.test(text)) {
      location.hash = `#/case/${text.padStart(10, '0')}`;
      return;
    }
    location.hash = `#/cases?${new URLSearchParams([...form].filter(([, v]) => v))}`;
  };
  const previous = document.getElementById('previous-page');
  if (previous) previous.onclick = () => history.back();
  for (const row of main.querySelectorAll('tr.case-row'))
    row.onclick = (e) => {
      if (e.target.tagName !== 'A') location.hash = `#/case/${row.dataset.number}`;
    };
}

// ——— Case page ———

function outcomeBadge(t) {
  if (!t.target) return '<span class="muted">n/a</span>';
  const state = t.paused ? 'paused' : t.outcome.state;
  const at = t.outcome.at ? ` ${when(t.outcome.at)}` : '';
  return `<span class="badge ${state}">${state}${at}</span>`;
}

/** Why a target is due when it is (`GET /v1/cases/{n}/sla`), as a list of plain lines. */
function dueBecause(target) {
  const e = target?.explanation;
  if (!e) return '';
  const lines = [];
  if (target.countsFrom) lines.push(`counts from ${when(target.countsFrom)}`);
  if (e.rolledTo) lines.push(`outside business hours: starts at ${when(e.rolledTo)}`);
  for (const c of e.counted ?? []) lines.push(`counted ${when(c.from)} → ${when(c.to).slice(11)}`);
  for (const h of e.holidaysSkipped ?? []) lines.push(`holiday skipped: ${h.date} ${h.name}`);
  for (const p of e.paused ?? []) lines.push(`paused ${when(p.from)} → ${when(p.to)}`);
  return lines.map((l) => `<li>${esc(l)}</li>`).join('');
}

/** The forms an engineer may use on a case in its status (the API has the last word). */
function actionsFor(c) {
  const note = (label = 'Note', required = true) =>
    `<label>${label}<textarea name="note" rows="3" ${required ? 'required' : ''}></textarea></label>`;
  const forms = [];
  const add = (action, title, fields, button = title) => forms.push({ action, title, fields, button });
  if ('owner' in c) {
    if (c.owner !== me()) add('take', 'Take this case', '', 'Take this case');
    add(
      'assign',
      'Assign to an engineer',
      '<label>Engineer (e-mail)<input name="engineer" type="email" required></label>',
      'Assign',
    );
  }
  add(
    'note',
    'Add a note',
    `${note()}<label>Visibility<select name="visibility"><option value="internal">internal (engineers only)</option><option value="public">public (the customer sees it)</option></select></label>`,
  );
  if (c.status === 'Closed') {
    add('reopen', 'Reopen', note('Why'));
    return forms;
  }
  if (c.status !== 'Awaiting Info')
    add('request-info', 'Request information', note('What the customer should send'));
  if (c.status === 'Open') add('respond', 'First response', note('Response to the customer'));
  add(
    'propose-solution',
    'Propose a solution',
    `${note('The solution')}<label class="inline"><input type="checkbox" name="software"> a software fix</label>`,
  );
  if (c.sla?.restoration?.target) add('mark-restored', 'Service restored', note('Note', false));
  add(
    'set-severity',
    'Change severity',
    `<label>Severity<select name="severity" aria-label="Severity">${SEVERITIES.map((s) => `<option ${s === c.severity ? 'selected' : ''}>${s}</option>`).join('')}</select></label>${note('Why', false)}`,
  );
  if (c.status === 'Open')
    add('set-substatus', 'Set sub-status', '<label>Sub-status<input name="subStatus" required></label>');
  add(
    'snooze-follow-ups',
    'Snooze follow-ups',
    '<label>Until<input name="until" type="datetime-local" required></label>',
  );
  add('raise-feature-request', 'Raise a feature request', note('The request'));
  add(
    'close',
    'Close',
    `<label>Closed as<select name="subStatus" aria-label="Closed as">${CLOSED_AS.map((s) => `<option>${s}</option>`).join('')}</select></label>${note('Closing note')}`,
  );
  return forms;
}

/** A form's fields as the action's body. */
function bodyOf(form, action, c) {
  const data = Object.fromEntries(new FormData(form));
  const body = { revision: c.revision };
  if (action === 'take') return body;
  if (action === 'assign') return { ...body, engineer: data.engineer };
  if (data.note !== undefined && (data.note !== '' || action !== 'mark-restored')) body.note = data.note;
  if (action === 'note') body.visibility = data.visibility;
  if (action === 'propose-solution') body.software = data.software === 'on';
  for (const name of ['severity', 'subStatus']) if (data[name] !== undefined) body[name] = data[name];
  if (action === 'set-severity' && body.note === '') delete body.note;
  if (data.until) body.until = new Date(`${data.until}Z`).toISOString();
  return body;
}

function timelineItem(e, number) {
  const mark =
    e.visibility === 'internal'
      ? '<span class="mark internal">Internal</span>'
      : '<span class="mark public">Public</span>';
  const publish =
    e.kind === 'mail-received' && e.visibility === 'internal'
      ? ` <button type="button" class="publish" data-entry="${esc(e.id)}" data-number="${esc(number)}">Publish to customer</button>`
      : '';
  const what = e.status ? `${esc(e.status)} / ${esc(e.subStatus)}` : esc(e.kind);
  const text = e.text ? `<div class="text">${esc(e.text)}</div>` : '';
  const subject = e.subject ? `<div class="subject">${esc(e.subject)}</div>` : '';
  return `<li class="${esc(e.visibility)} kind-${esc(e.kind)}" data-kind="${esc(e.kind)}">${mark} <time>${when(e.at)}</time> <strong>${esc(e.actor)}</strong> · ${what}${publish}${subject}${text}</li>`;
}

async function casePage(number) {
  const [c, timeline, files, sla] = await Promise.all([
    api(`/v1/cases/${number}`),
    api(`/v1/cases/${number}/timeline`),
    optional(`/v1/cases/${number}/files`),
    optional(`/v1/cases/${number}/sla`),
  ]);
  const explanations = sla?.targets ?? {};
  const field = (label, value) =>
    `<dt>${label}</dt><dd>${value === undefined || value === null || value === '' ? '—' : esc(value)}</dd>`;
  const forms = actionsFor(c);
  main.innerHTML = `<p class="crumbs"><a href="#/cases">Cases</a> › Case # ${esc(c.number)}</p>
    <h2>Case # ${esc(c.number)}: ${esc(c.subject)}</h2>
    <p class="summary"><strong id="status">${esc(c.status)} / ${esc(c.subStatus)}</strong> · <span class="sev ${esc(c.severity)}">${esc(c.severity)}</span>${'owner' in c ? ` · owner <strong id="owner">${esc(c.owner ?? 'unowned')}</strong>` : ''} · revision ${c.revision} · <a href="#/case/${esc(c.number)}/execution">Execution view</a></p>
    <div class="case-grid">
      <div class="case-main">
        <section aria-labelledby="details-h"><h3 id="details-h">Details</h3>
          <dl class="fields" id="fields">
            ${field('Account', `${c.account} (${c.plan}, centre ${c.centre})`)}
            ${field('Contact', c.contact)}
            ${field('Product', `${c.product ?? ''} ${c.version ?? ''}`.trim())}
            ${field('Type', c.type)}
            ${field('Environment', c.environment)}
            ${field('Users affected', c.usersAffected)}
            ${field('Opened', when(c.createdAt))}
            ${field('Complete since', when(c.completedAt))}
            ${field('Updated', when(c.updatedAt))}
            ${field('Follow-up', c.followUp ? `${c.followUp.action} since ${when(c.followUp.since)} · ${c.followUp.remindersSent} reminder${c.followUp.remindersSent === 1 ? '' : 's'} sent` : '')}
            ${c.closedAt ? field('Closed', when(c.closedAt)) : ''}
            ${c.featureRequest ? field('Feature request', `${c.featureRequest.number ?? ''} ${c.featureRequest.status ?? ''}`) : ''}
          </dl>
          <h4>Description</h4><p class="prose" id="description">${esc(c.description) || '—'}</p>
          <h4>Business impact</h4><p class="prose" id="business-impact">${esc(c.businessImpact) || '—'}</p>
          <h4>Circumstances</h4><p class="prose">${esc(c.circumstances) || '—'}</p>
        </section>
        <section aria-labelledby="sla-h"><h3 id="sla-h">SLA clocks</h3>
        ${
          c.sla
            ? `<table id="sla"><thead><tr><th scope="col">Target</th><th scope="col">Span</th><th scope="col">Due</th><th scope="col">Business time left</th><th scope="col">State</th></tr></thead><tbody>${Object.entries(
                c.sla,
              )
                .map(([kind, t]) => {
                  const why = dueBecause(explanations[kind]);
                  return `<tr><th scope="row">${esc(kind)}</th><td>${esc(t.target ?? 'n/a')}</td><td>${when(t.due)}</td><td>${t.paused ? 'paused' : t.remainingMs === null || t.remainingMs === undefined ? '—' : span(t.remainingMs)}</td><td>${outcomeBadge(t)}${why ? `<details class="why"><summary>why then</summary><ul>${why}</ul></details>` : ''}</td></tr>`;
                })
                .join('')}</tbody></table>`
            : '<p>Not started: the case is not complete yet.</p>'
        }
        ${
          Object.keys(c.obligations ?? {}).length
            ? `<h4>Obligations</h4><table id="obligations"><thead><tr><th scope="col">Obligation</th><th scope="col">Due</th><th scope="col">Done</th><th scope="col">State</th></tr></thead><tbody>${Object.entries(
                c.obligations,
              )
                .map(
                  ([name, o]) =>
                    `<tr><td>${esc(name)}</td><td>${when(o.due)}</td><td>${o.done ? when(o.done) : '—'}</td><td><span class="badge ${esc(o.state)}">${esc(o.state)}</span></td></tr>`,
                )
                .join('')}</tbody></table>`
            : ''
        }
        </section>
        <section aria-labelledby="files-h"><h3 id="files-h">Files</h3>
          ${
            files?.items?.length
              ? `<table id="files"><thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">From</th><th scope="col">Added</th><th scope="col">State</th><th scope="col"></th></tr></thead><tbody>${files.items
                  .map(
                    (f) =>
                      `<tr><td>${esc(f.name)}</td><td>${(f.size / 1024).toFixed(1)} KiB</td><td>${esc(f.uploadedBy ?? f.source)}</td><td>${when(f.createdAt)}</td><td>${esc(f.status)}</td><td>${f.status === 'uploaded' ? `<button type="button" class="download" data-file="${esc(f.fileId)}" aria-label="Download ${esc(f.name)}">Download</button>` : ''}</td></tr>`,
                  )
                  .join('')}</tbody></table>`
              : '<p class="muted" id="files">No files.</p>'
          }
        </section>
        <section aria-labelledby="timeline-h"><h3 id="timeline-h">Timeline</h3>
          <ol id="timeline">${timeline.items.map((e) => timelineItem(e, c.number)).join('')}</ol>
        </section>
      </div>
      <aside class="case-actions" aria-labelledby="actions-h"><h3 id="actions-h">Actions</h3>
        ${forms
          .map((f) => {
            const form = `<form class="action" data-action="${f.action}" data-key="${uid()}">${f.fields}<p class="form-error" role="alert"></p><button type="submit">${f.button}</button></form>`;
            // Taking a case is one click; every other action opens its form first.
            return f.action === 'take'
              ? `<div class="take">${form}</div>`
              : `<details><summary>${f.title}</summary>${form}</details>`;
          })
          .join('')}
      </aside>
    </div>`;

  // An action's form, once opened, takes the focus on its first field: the next key types into it.
  for (const details of main.querySelectorAll('.case-actions details'))
    details.ontoggle = () => {
      if (details.open) details.querySelector('input, select, textarea')?.focus();
    };
  for (const form of main.querySelectorAll('form.action')) {
    form.onsubmit = async (e) => {
      e.preventDefault();
      const action = form.dataset.action;
      const path =
        action === 'note' ? `/v1/cases/${c.number}/updates` : `/v1/cases/${c.number}/actions/${action}`;
      form.querySelector('button[type=submit]').disabled = true;
      try {
        const changed = await api(path, {
          method: 'POST',
          body: bodyOf(form, action, c),
          idempotencyKey: form.dataset.key,
        });
        const done = form.closest('details')?.querySelector('summary').textContent ?? 'Taken';
        await casePage(number);
        // The result is where the person's attention goes next: focus moves to it.
        say(`Case # ${c.number}: ${done} — now ${changed.status} / ${changed.subStatus}`, { focus: true });
      } catch (error) {
        form.querySelector('button[type=submit]').disabled = false;
        showError(form, error);
      }
    };
  }
  for (const button of main.querySelectorAll('button.publish')) {
    button.onclick = async () => {
      try {
        await api(`/v1/cases/${c.number}/actions/publish-mail`, {
          method: 'POST',
          body: { entryId: button.dataset.entry },
          idempotencyKey: uid(),
        });
        await casePage(number);
        say('The mail is now public: the customer sees it');
      } catch (error) {
        say(`Not published: ${error.message}`);
      }
    };
  }
  for (const button of main.querySelectorAll('button.download'))
    button.onclick = () =>
      downloadFile(api, c.number, button.dataset.file).catch((error) =>
        say(`Download failed: ${error.message}`),
      );
}

// ——— Execution view ———

/** The graph's edges: Next, Default, Choices and Catch targets. */
function edgesOf(definition) {
  const edges = [];
  for (const [name, s] of Object.entries(definition.States ?? {})) {
    const targets = new Set([
      s.Next,
      s.Default,
      ...(s.Choices ?? []).map((c) => c.Next),
      ...(s.Catch ?? []).map((c) => c.Next),
    ]);
    for (const to of targets) if (to) edges.push([name, to]);
  }
  return edges;
}

/** States in the order a reader meets them: breadth first from StartAt. */
function orderOf(definition, edges) {
  const order = [definition.StartAt];
  for (let i = 0; i < order.length; i++)
    for (const [a, b] of edges) if (a === order[i] && !order.includes(b)) order.push(b);
  for (const name of Object.keys(definition.States ?? {})) if (!order.includes(name)) order.push(name);
  return order;
}

/** Each state entered, in order: when, for how long, with its input and output. */
function pathOf(events) {
  const visits = [];
  for (const e of events) {
    if (e.type.endsWith('StateEntered'))
      visits.push({
        name: e.stateEnteredEventDetails.name,
        at: e.timestamp,
        input: e.stateEnteredEventDetails.input,
      });
    if (e.type.endsWith('StateExited')) {
      const v = visits.findLast((x) => x.name === e.stateExitedEventDetails.name && !x.exitedAt);
      if (v) {
        v.exitedAt = e.timestamp;
        v.output = e.stateExitedEventDetails.output;
      }
    }
  }
  return visits;
}

/**
 * The state graph as an arc diagram: the states in one column, each transition an arc beside the
 * column (forward on the right, backward on the left), so no line ever crosses a box. Case states are
 * full boxes; the workflow's own states are small and grey. The path taken is drawn bold.
 */
function graph(definition, edges, visits, current) {
  const order = orderOf(definition, edges);
  const ROW = 50;
  const BOX_W = 220;
  const STEP = 9; // how much wider an arc is for each row it spans
  const reachOf = ([a, b]) => Math.abs(order.indexOf(b) - order.indexOf(a));
  const MARGIN = 24 + Math.max(0, ...edges.map(reachOf)) * STEP;
  const X = MARGIN;
  const y = Object.fromEntries(order.map((n, i) => [n, 10 + i * ROW]));
  const taken = new Set();
  for (let i = 1; i < visits.length; i++) taken.add(`${visits[i - 1].name}>${visits[i].name}`);
  const last = Object.fromEntries(visits.map((v) => [v.name, v]));
  const count = {};
  for (const v of visits) count[v.name] = (count[v.name] ?? 0) + 1;
  // Case states are full width; the workflow's own steps narrower and lower.
  const boxOf = (name) =>
    CASE_STATES.has(name)
      ? { x: X, y: y[name], w: BOX_W, h: 40 }
      : { x: X + 24, y: y[name] + 5, w: BOX_W - 48, h: 30 };
  const width = X + BOX_W + MARGIN;
  const height = 10 + order.length * ROW;
  const arcs = edges
    .map((edge) => {
      const [a, b] = edge;
      const from = boxOf(a);
      const to = boxOf(b);
      const ya = y[a] + 20;
      const yb = y[b] + 20;
      const forward = yb > ya;
      // Forward arcs leave on the right, backward ones on the left: outside the column of boxes.
      const sa = forward ? from.x + from.w : from.x;
      const sb = forward ? to.x + to.w : to.x;
      const outer = forward ? X + BOX_W + 14 + reachOf(edge) * STEP : X - 14 - reachOf(edge) * STEP;
      const cls = taken.has(`${a}>${b}`) ? 'edge taken' : 'edge';
      return `<path class="${cls}" data-edge="${esc(a)}>${esc(b)}" d="M${sa},${ya} C${outer},${ya} ${outer},${yb} ${sb + (forward ? 3 : -3)},${yb}" marker-end="url(#arrow)"/>`;
    })
    .join('');
  const boxes = order
    .map((name) => {
      const internal = !CASE_STATES.has(name);
      const v = last[name];
      const cls = [
        'state',
        internal ? 'internal' : 'case',
        v ? 'visited' : '',
        name === current ? 'current' : '',
      ]
        .filter(Boolean)
        .join(' ');
      const box = boxOf(name);
      const note = v
        ? `${count[name] > 1 ? `${count[name]}× · ` : ''}${when(v.at).slice(11, 16)} · ${v.exitedAt ? span(Date.parse(v.exitedAt) - Date.parse(v.at)) : 'current'}`
        : '';
      const nameY = box.y + (note ? box.h / 2 - 2 : box.h / 2 + 4);
      return `<g class="${cls}" data-state="${esc(name)}"><title>${esc(name)}${internal ? ' (workflow step)' : ' (case state)'}${note ? `: entered ${count[name]}×, last at ${when(v.at)}` : ''}</title><rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="4"/><text x="${box.x + 8}" y="${nameY}">${esc(name)}</text>${note ? `<text class="note" x="${box.x + 8}" y="${box.y + box.h - 5}">${esc(note)}</text>` : ''}</g>`;
    })
    .join('');
  return `<svg class="graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="state machine: ${order.length} states, the path taken in bold">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
    ${arcs}${boxes}</svg>`;
}

const EVENT_GROUPS = {
  all: () => true,
  states: (e) => /State(Entered|Exited)$/.test(e.type),
  tasks: (e) => e.type.startsWith('Task'),
  problems: (e) => /Failed|TimedOut|Aborted/.test(e.type),
};
const detailsOf = (e) => Object.entries(e).find(([k]) => k.endsWith('EventDetails'))?.[1] ?? {};
const pretty = (text) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return String(text);
  }
};

async function executionPage(number, params) {
  const execution = await api(`/v1/cases/${number}/execution`);
  const events = execution.events ?? [];
  const edges = edgesOf(execution.definition);
  const visits = pathOf(events);
  const showInternal = params.get('internal') === '1';
  const group = params.get('events') ?? 'all';
  const filter = (params.get('filter') ?? '').toLowerCase();
  // Without the workflow steps, a case state entered again straight after its own steps is one stay.
  const shownVisits = showInternal
    ? visits
    : visits
        .filter((v) => CASE_STATES.has(v.name))
        .reduce((stays, v) => {
          const last = stays.at(-1);
          if (last?.name === v.name) stays[stays.length - 1] = { ...last, exitedAt: v.exitedAt };
          else stays.push(v);
          return stays;
        }, []);
  const run = execution.executions?.at(-1);
  // Since the execution's start, not the first event shown (earlier ones may be left out).
  const start = Date.parse(run?.startDate ?? events[0]?.timestamp ?? '');
  const rows = events.filter(
    (e) =>
      EVENT_GROUPS[group]?.(e) !== false &&
      (!filter ||
        `${e.type} ${detailsOf(e).name ?? ''} ${JSON.stringify(detailsOf(e))}`
          .toLowerCase()
          .includes(filter)),
  );
  const here = `#/case/${number}/execution`;
  main.innerHTML = `<p class="crumbs"><a href="#/cases">Cases</a> › <a href="#/case/${esc(number)}">Case # ${esc(number)}</a> › Execution</p>
    <h2>Execution ${esc(run?.name ?? '')} <span class="badge ${esc((run?.status ?? 'none').toLowerCase())}">${esc(run?.status ?? 'none')}</span></h2>
    <p>Started ${when(run?.startDate)} (virtual time) · current state <strong id="current-state">${esc(execution.currentState ?? '—')}</strong> · ${execution.earlierEventsLeftOut ? `the latest ${events.length} events (earlier ones left out)` : `${events.length} events`}${execution.executions?.length > 1 ? ` · generation ${execution.executions.length} of ${execution.executions.length}` : ''}</p>
    <div class="exec-grid">
      <section aria-labelledby="graph-h"><h3 id="graph-h">State graph</h3>
        <p class="legend"><span class="key case">case state</span> <span class="key internal">workflow step</span> <span class="key taken">path taken</span> <span class="key current">current</span></p>
        ${graph(execution.definition, edges, visits, execution.currentState)}
      </section>
      <section aria-labelledby="path-h"><h3 id="path-h">Path taken</h3>
        <form id="path-form"><label class="inline"><input type="checkbox" name="internal" ${showInternal ? 'checked' : ''}> show workflow steps</label></form>
        <table id="path"><thead><tr><th scope="col">#</th><th scope="col">State</th><th scope="col">Entered</th><th scope="col">Duration</th></tr></thead><tbody>${shownVisits
          .map(
            (v, i) =>
              `<tr class="${CASE_STATES.has(v.name) ? 'case' : 'internal'}"><td>${i + 1}</td><td>${esc(v.name)}</td><td>${precise(v.at)}</td><td>${v.exitedAt ? span(Date.parse(v.exitedAt) - Date.parse(v.at)) : '<em>current</em>'}</td></tr>`,
          )
          .join('')}</tbody></table>
      </section>
    </div>
    <section aria-labelledby="history-h"><h3 id="history-h">Event history</h3>
      <form id="event-filter" class="filters">
        <label>Show <select name="events" aria-label="Show events">${Object.keys(EVENT_GROUPS)
          .map(
            (g) =>
              `<option value="${g}" ${g === group ? 'selected' : ''}>${{ all: 'all events', states: 'state transitions', tasks: 'tasks', problems: 'failures and time-outs' }[g]}</option>`,
          )
          .join('')}</select></label>
        <label>Filter <input name="filter" aria-label="Filter events" type="search" value="${esc(params.get('filter'))}" placeholder="type, state, text…"></label>
        <button type="submit">Apply</button> <span id="event-count">${rows.length} of ${events.length} events</span>
      </form>
      <table id="history"><thead><tr><th scope="col">#</th><th scope="col">Time (virtual)</th><th scope="col">Since start</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Input / output</th></tr></thead><tbody>${rows
        .map((e) => {
          const d = detailsOf(e);
          const data = ['input', 'output', 'parameters', 'error', 'cause'].filter((k) => d[k] !== undefined);
          return `<tr class="${/Failed|TimedOut/.test(e.type) ? 'problem' : ''}"><td>${e.id}</td><td>${precise(e.timestamp)}</td><td>${span(Date.parse(e.timestamp) - start)}</td><td>${esc(e.type)}</td><td>${esc(d.name ?? '')}</td><td>${
            data.length
              ? `<details><summary>${data.join(', ')}</summary>${data.map((k) => `<h5>${k}</h5><pre>${esc(pretty(d[k]))}</pre>`).join('')}</details>`
              : ''
          }</td></tr>`;
        })
        .join('')}</tbody></table>
    </section>`;
  const go = (changes) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) v ? next.set(k, v) : next.delete(k);
    location.hash = `${here}?${next}`;
  };
  document.getElementById('path-form').onchange = (e) => go({ internal: e.target.checked ? '1' : '' });
  document.getElementById('event-filter').onsubmit = (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    go({ events: form.get('events') === 'all' ? '' : form.get('events'), filter: form.get('filter') });
  };
}

// ——— Triage ———

async function triagePage() {
  const { items } = await api('/v1/triage');
  const result = (text) => {
    document.getElementById('triage-result').textContent = text;
  };
  main.innerHTML = `<h2>Triage queue</h2>
    <p>Mail that could not be added to a case: link it to one, or dismiss it.</p>
    <table id="triage"><thead><tr><th scope="col">Received</th><th scope="col">From</th><th scope="col">Subject and message</th><th scope="col">Reason</th><th scope="col">Decision</th></tr></thead><tbody>${items
      .map(
        (
          m,
        ) => `<tr data-id="${esc(m.id)}" data-key="${uid()}"><td>${when(m.at)}</td><td>${esc(m.from)}</td><td><strong>${esc(m.subject) || '(no subject)'}</strong>${m.text ? `<pre class="mail">${esc(m.text)}</pre>` : ''}</td><td>${esc(m.reason)}</td>
        <td>${
          m.quarantined
            ? 'quarantined'
            : `${m.linkedTo ? `<p class="note">Linking to case ${esc(m.linkedTo)} did not finish: link it again.</p>` : ''}<form class="link"><label class="sr" for="link-${esc(m.id)}">case number</label><input id="link-${esc(m.id)}" name="caseNumber" size="12" required inputmode="numeric" placeholder="case number" value="${esc(m.linkedTo ?? '')}"><button type="submit">Link</button></form>
          <button type="button" class="dismiss secondary">Dismiss</button>`
        }</td></tr>`,
      )
      .join(
        '',
      )}</tbody></table>${items.length ? '' : '<p class="empty">Nothing to triage.</p>'}<p id="triage-result" role="status"></p>`;
  for (const form of main.querySelectorAll('form.link')) {
    form.onsubmit = async (e) => {
      e.preventDefault();
      const row = form.closest('tr');
      try {
        const r = await api(`/v1/triage/${row.dataset.id}/link`, {
          method: 'POST',
          body: { caseNumber: form.caseNumber.value },
          idempotencyKey: `${row.dataset.key}-${form.caseNumber.value}`,
        });
        result(`Linked to case ${r.linkedTo}`);
        row.remove();
      } catch (error) {
        result(`Not linked: ${error.message}`);
      }
    };
  }
  for (const button of main.querySelectorAll('button.dismiss')) {
    button.onclick = async () => {
      const row = button.closest('tr');
      try {
        await api(`/v1/triage/${row.dataset.id}/dismiss`, {
          method: 'POST',
          body: {},
          idempotencyKey: `${row.dataset.key}-dismiss`,
        });
        result(`Dismissed: ${row.querySelector('strong').textContent}`);
        row.remove();
      } catch (error) {
        result(`Not dismissed: ${error.message}`);
      }
    };
  }
}

// ——— Report ———

async function reportPage(params) {
  const q = new URLSearchParams();
  if (params.get('from')) q.set('from', `${params.get('from')}T00:00:00Z`);
  if (params.get('to')) q.set('to', `${params.get('to')}T23:59:59Z`);
  let report;
  let problem = '';
  try {
    report = await api(`/v1/reports/sla-compliance?${q}`);
  } catch (error) {
    problem = error.message;
    report = await api('/v1/reports/sla-compliance');
  }
  const pct = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);
  // A bar only for a figure there is; none drawn where no case was measured.
  const bar = (share, contractual) => {
    if (share === null || share === undefined) return '<span class="muted">no figure</span>';
    const fill = contractual !== null && contractual !== undefined && share < contractual ? 'below' : 'met';
    return `<svg width="120" height="12" role="img" aria-label="${pct(share)} met"><rect class="track" width="120" height="12"/><rect class="${fill}" width="${share * 120}" height="12"/>${contractual !== null && contractual !== undefined ? `<line x1="${contractual * 120}" x2="${contractual * 120}" y1="0" y2="12"/>` : ''}</svg>`;
  };
  const day = (iso) => iso.slice(0, 10);
  main.innerHTML = `<h2>SLA compliance</h2>
    <form id="report-dates" class="filters">
      <label>From <input type="date" name="from" value="${day(report.from)}" required></label>
      <label>To <input type="date" name="to" value="${day(report.to)}" required></label>
      <button type="submit">Show</button>
      <p class="form-error" role="alert">${esc(problem)}</p>
    </form>
    <p>Cases closed from ${when(report.from)} to ${when(report.to)}.</p>
    <table id="report"><thead><tr><th scope="col">Plan</th><th scope="col">Severity</th><th scope="col">Closed</th><th scope="col">Response met</th><th scope="col">Restoration met</th><th scope="col">Resolution met (line: contract)</th><th scope="col">Contract</th></tr></thead><tbody>${report.rows
      .map((r) => {
        const cell = (kind, contractual) => {
          const share = r.targets[kind]?.shareMet;
          return `<td class="share ${kind}">${share === null || share === undefined ? '' : `${pct(share)} `}${bar(share, contractual)}</td>`;
        };
        return `<tr><td>${esc(r.plan)}</td><td>${esc(r.severity)}</td><td>${r.closedCases}</td>${cell('response')}${cell('restoration')}${cell('resolution', r.contractualShare)}<td>${pct(r.contractualShare)}${r.compliant === false ? ' <span class="badge breached">not met</span>' : ''}</td></tr>`;
      })
      .join(
        '',
      )}</tbody></table>${report.rows.length ? '' : '<p class="empty">No case was closed in this period: no figure to show.</p>'}`;
  document.getElementById('report-dates').onsubmit = (e) => {
    e.preventDefault();
    location.hash = `#/report?${new URLSearchParams(new FormData(e.target))}`;
  };
}

// ——— Clock, sign-in, routing ———

/** In local mode, the virtual clock's control. */
async function clockControl() {
  const res = await fetch(`${API}/_local/clock`).catch(() => null);
  const el = document.getElementById('clock');
  if (!res?.ok) return;
  const show = (answer, message = '') => {
    el.innerHTML = `<span>virtual time <strong id="now">${when(answer.now)}</strong></span>
      <label class="sr" for="advance">advance by (ISO-8601 duration)</label><input id="advance" value="P1D" size="7" aria-describedby="clock-message">
      <button id="advance-button" type="button">Advance</button><span id="clock-message" role="status">${esc(message)}</span>`;
    document.getElementById('advance-button').onclick = async () => {
      const r = await fetch(`${API}/_local/clock`, {
        method: 'POST',
        body: JSON.stringify({ advance: document.getElementById('advance').value }),
      });
      const body = await r.json();
      if (!r.ok) return show(answer, `not moved: ${body.error?.message ?? r.statusText}`);
      show(body, `${body.fired?.length ?? 0} timers fired, ${body.mails?.length ?? 0} mails sent`);
      render();
    };
  };
  el.hidden = false;
  show(await res.json());
}

/** Renders the page the address names; after a move to another page, focus goes to its heading. */
const render = latestOnly(async ({ moved = false } = {}) => {
  const signedIn = !!token();
  for (const id of ['nav', 'me', 'sign-out']) document.getElementById(id).hidden = !signedIn;
  if (!signedIn) return signIn();
  document.getElementById('me').textContent = me();
  const [route, query] = (location.hash.slice(1) || '/cases').split('?');
  const params = new URLSearchParams(query);
  for (const a of document.querySelectorAll('#nav a'))
    a.toggleAttribute('aria-current', route.startsWith(a.getAttribute('href').slice(1, 6)));
  try {
    await refreshNow();
    const execution = /^\/case\/(\d+)\/execution$/.exec(route);
    if (execution) await executionPage(execution[1], params);
    else if (route.startsWith('/case/')) await casePage(route.slice(6));
    else if (route === '/triage') await triagePage();
    else if (route === '/report') await reportPage(params);
    else await casesPage(params);
  } catch (error) {
    if (token()) main.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p>`;
  }
  if (moved) focusHeading(main);
});

/** The sign-in page (shared with the portal): a token opens the console only if it is an engineer's. */
const signIn = () =>
  signInPage(main, {
    heading: 'h2',
    localEmail: 'eve@support.example',
    tokenHelp: '; locally: <code>npx casework token eve@support.example</code>',
    signedIn: async (value, refreshToken) => {
      who.signIn(value, refreshToken);
      try {
        await api('/v1/triage'); // engineers only
      } catch (error) {
        who.signOut();
        throw new Error(`Not signed in: ${error.message}`);
      }
      clockControl();
      await render({ moved: true });
    },
  });

document.getElementById('sign-out').onclick = () => {
  who.signOut();
  render();
};
addEventListener('hashchange', () => {
  say('');
  render({ moved: true });
});
if (token()) clockControl();
render();
