// The operator console: a static page over the casework HTTP API (the same API on AWS).
// Engineers sign in with a bearer token; nothing is shown without one.
const API = globalThis.CASEWORK_API ?? '';
const main = document.getElementById('main');
const signInForm = document.getElementById('sign-in');
const token = () => sessionStorage.getItem('casework-token');

const esc = (s) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const when = (iso) => (iso ? `${new Date(iso).toISOString().replace('T', ' ').slice(0, 16)}Z` : '—');
const duration = (ms) => {
  if (ms === null || ms === undefined) return '—';
  const m = Math.round(ms / 60000);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
};

async function api(path, options = {}) {
  const res = await fetch(`${API}${path}`, {
    ...options,
    headers: {
      authorization: `Bearer ${token()}`,
      'content-type': 'application/json',
      ...(options.headers ?? {}),
    },
  });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) {
    sessionStorage.removeItem('casework-token');
    render();
    throw new Error('signed out');
  }
  if (!res.ok) throw new Error(body?.error?.message ?? res.statusText);
  return body;
}

function outcomeBadge(t) {
  if (!t.target) return '<span>n/a</span>';
  const state = t.paused ? 'paused' : t.outcome.state;
  const at = t.outcome.at ? ` ${when(t.outcome.at)}` : '';
  return `<span class="badge ${state}">${state}${at}</span>`;
}

async function casesPage(params) {
  const q = new URLSearchParams([...params].filter(([, v]) => v));
  const { items } = await api(`/v1/cases?${q}`);
  main.innerHTML = `<h2>Cases</h2>
    <form class="filters" id="filters">
      <select name="status" aria-label="status"><option value="">any status</option>${['Open', 'Awaiting Info', 'Solution Proposed', 'Closed'].map((s) => `<option ${params.get('status') === s ? 'selected' : ''}>${s}</option>`).join('')}</select>
      <select name="severity" aria-label="severity"><option value="">any severity</option>${['critical-production-down', 'critical', 'high', 'medium', 'low'].map((s) => `<option ${params.get('severity') === s ? 'selected' : ''}>${s}</option>`).join('')}</select>
      <input name="account" placeholder="account" aria-label="account" value="${esc(params.get('account'))}">
      <label><input type="checkbox" name="breached" value="true" ${params.get('breached') ? 'checked' : ''}> breached only</label>
      <button type="submit">Filter</button>
    </form>
    <table id="cases"><thead><tr><th>Case</th><th>Subject</th><th>Account</th><th>Severity</th><th>Status</th><th>Response</th><th>Resolution</th><th>Updated</th></tr></thead>
    <tbody>${items
      .map(
        (
          c,
        ) => `<tr class="case-row" data-number="${esc(c.number)}"><td>${esc(c.number)}</td><td>${esc(c.subject)}</td><td>${esc(c.account)}</td><td>${esc(c.severity)}</td>
        <td>${esc(c.status)} / ${esc(c.subStatus)}</td><td>${c.sla ? outcomeBadge(c.sla.response) : '—'}</td><td>${c.sla ? outcomeBadge(c.sla.resolution) : '—'}</td><td>${when(c.updatedAt)}</td></tr>`,
      )
      .join('')}</tbody></table>`;
  document.getElementById('filters').onsubmit = (e) => {
    e.preventDefault();
    location.hash = `#/cases?${new URLSearchParams(new FormData(e.target))}`;
  };
  for (const row of main.querySelectorAll('tr.case-row'))
    row.onclick = () => (location.hash = `#/case/${row.dataset.number}`);
}

/** The state graph: states in layers from StartAt, edges from Next/Choices/Catch/Default. */
function graph(definition, current, visited) {
  const states = definition.States ?? {};
  const edges = [];
  for (const [name, s] of Object.entries(states)) {
    for (const to of [
      s.Next,
      s.Default,
      ...(s.Choices ?? []).map((c) => c.Next),
      ...(s.Catch ?? []).map((c) => c.Next),
    ])
      if (to) edges.push([name, to]);
  }
  const layer = { [definition.StartAt]: 0 };
  const queue = [definition.StartAt];
  while (queue.length) {
    const from = queue.shift();
    for (const [a, b] of edges)
      if (a === from && layer[b] === undefined) {
        layer[b] = layer[a] + 1;
        queue.push(b);
      }
  }
  for (const name of Object.keys(states)) layer[name] ??= 0;
  // Layer by layer from the start state, at most four states a row so the graph stays narrow.
  const PER_ROW = 4;
  const pos = {};
  let row = 0;
  for (let l = 0; l <= Math.max(...Object.values(layer)); l++) {
    const names = Object.keys(states).filter((name) => layer[name] === l);
    names.forEach((name, i) => {
      pos[name] = { x: 10 + (i % PER_ROW) * 150, y: 10 + (row + Math.floor(i / PER_ROW)) * 60 };
    });
    row += Math.max(1, Math.ceil(names.length / PER_ROW));
  }
  const height = 10 + row * 60;
  const width = 10 + PER_ROW * 150;
  return `<svg class="graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="state machine">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#b6bfc9"/></marker></defs>
    ${edges.map(([a, b]) => `<line x1="${pos[a].x + 65}" y1="${pos[a].y + 30}" x2="${pos[b].x + 65}" y2="${pos[b].y}"/>`).join('')}
    ${Object.keys(states)
      .map(
        (name) =>
          `<g class="state${name === current ? ' current' : visited.has(name) ? ' visited' : ''}" data-state="${esc(name)}"><rect x="${pos[name].x}" y="${pos[name].y}" width="130" height="30"/><text x="${pos[name].x + 8}" y="${pos[name].y + 19}">${esc(name)}</text></g>`,
      )
      .join('')}
  </svg>`;
}

async function casePage(number) {
  const [c, timeline, execution] = await Promise.all([
    api(`/v1/cases/${number}`),
    api(`/v1/cases/${number}/timeline`),
    api(`/v1/cases/${number}/execution`),
  ]);
  const visited = new Set(
    execution.events
      .filter((e) => e.type.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails?.name),
  );
  main.innerHTML = `<h2>Case # ${esc(c.number)}: ${esc(c.subject)}</h2>
    <p>${esc(c.account)} · ${esc(c.plan)} · ${esc(c.centre)} · ${esc(c.severity)} · <strong id="status">${esc(c.status)} / ${esc(c.subStatus)}</strong> · contact ${esc(c.contact)} · revision ${c.revision}</p>
    <h3>SLA clocks</h3>
    ${
      c.sla
        ? `<table id="sla"><thead><tr><th>Target</th><th>Span</th><th>Due</th><th>Business time remaining</th><th>State</th></tr></thead><tbody>${Object.entries(
            c.sla,
          )
            .map(
              ([kind, t]) =>
                `<tr><td>${kind}</td><td>${esc(t.target ?? 'n/a')}</td><td>${when(t.due)}</td><td>${t.paused ? 'paused' : duration(t.remainingMs)}</td><td>${outcomeBadge(t)}</td></tr>`,
            )
            .join('')}</tbody></table>`
        : '<p>Not started: the case is not complete yet.</p>'
    }
    ${
      Object.keys(c.obligations ?? {}).length
        ? `<h3>Obligations</h3><table id="obligations"><thead><tr><th>Obligation</th><th>Due</th><th>Done</th><th>State</th></tr></thead><tbody>${Object.entries(
            c.obligations,
          )
            .map(
              ([name, o]) =>
                `<tr><td>${esc(name)}</td><td>${when(o.due)}</td><td>${o.done ? when(o.done) : '—'}</td><td><span class="badge ${o.state}">${o.state}</span></td></tr>`,
            )
            .join('')}</tbody></table>`
        : ''
    }
    <div class="cols">
      <section><h3>Execution ${esc(execution.executions.at(-1)?.name ?? '')} (${esc(execution.executions.at(-1)?.status ?? 'none')})</h3>
        <p>Current state: <strong id="current-state">${esc(execution.currentState ?? '—')}</strong></p>
        ${graph(execution.definition, execution.currentState, visited)}
        <h3>Event history</h3>
        <table id="history"><thead><tr><th>#</th><th>Time</th><th>Event</th><th>State</th></tr></thead><tbody>${execution.events
          .map(
            (e) =>
              `<tr><td>${e.id}</td><td>${when(typeof e.timestamp === 'number' ? new Date(e.timestamp * 1000).toISOString() : e.timestamp)}</td><td>${esc(e.type)}</td><td>${esc(e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? '')}</td></tr>`,
          )
          .join('')}</tbody></table>
      </section>
      <section><h3>Timeline</h3><ol id="timeline">${timeline.items
        .map(
          (e) =>
            `<li class="${e.visibility}">${when(e.at)} ${esc(e.actor)}: ${esc(e.kind)} ${esc(e.status ? `${e.status}/${e.subStatus}` : '')} ${esc(e.text ?? '')}${e.visibility === 'internal' ? ' (internal)' : ''}</li>`,
        )
        .join('')}</ol></section>
    </div>`;
}

async function triagePage() {
  const { items } = await api('/v1/triage');
  main.innerHTML = `<h2>Triage queue</h2>
    <table id="triage"><thead><tr><th>Received</th><th>From</th><th>Subject</th><th>Reason</th><th>Link to case</th></tr></thead><tbody>${items
      .map(
        (
          m,
        ) => `<tr data-id="${esc(m.id)}"><td>${when(m.at)}</td><td>${esc(m.from)}</td><td>${esc(m.subject)}</td><td>${esc(m.reason)}</td>
        <td>${m.quarantined ? 'quarantined' : `<form class="link"><input name="caseNumber" aria-label="case number" size="12" required><button type="submit">Link</button></form>`}</td></tr>`,
      )
      .join('')}</tbody></table><p id="triage-result"></p>`;
  for (const form of main.querySelectorAll('form.link')) {
    form.onsubmit = async (e) => {
      e.preventDefault();
      const id = form.closest('tr').dataset.id;
      try {
        const r = await api(`/v1/triage/${id}/link`, {
          method: 'POST',
          body: JSON.stringify({ caseNumber: form.caseNumber.value }),
        });
        document.getElementById('triage-result').textContent = `Linked to case ${r.linkedTo}`;
        form.closest('tr').remove();
      } catch (error) {
        document.getElementById('triage-result').textContent = error.message;
      }
    };
  }
}

async function reportPage() {
  const report = await api('/v1/reports/sla-compliance');
  const bar = (share, contractual) =>
    `<svg width="160" height="14" role="img" aria-label="share met"><rect width="160" height="14" fill="#eef1f4"/><rect width="${(share ?? 0) * 160}" height="14" fill="${contractual !== null && share < contractual ? '#d9534f' : '#4caf50'}"/>${contractual !== null ? `<line x1="${contractual * 160}" x2="${contractual * 160}" y1="0" y2="14" stroke="#000" stroke-width="2"/>` : ''}</svg>`;
  const pct = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);
  main.innerHTML = `<h2>SLA compliance, ${when(report.from)} to ${when(report.to)}</h2>
    <table id="report"><thead><tr><th>Plan</th><th>Severity</th><th>Closed</th><th>Response met</th><th>Restoration met</th><th>Resolution met</th><th>Contract</th><th>Chart (resolution)</th></tr></thead><tbody>${report.rows
      .map(
        (r) =>
          `<tr><td>${esc(r.plan)}</td><td>${esc(r.severity)}</td><td>${r.closedCases}</td><td>${pct(r.targets.response?.shareMet)}</td><td>${pct(r.targets.restoration?.shareMet)}</td><td>${pct(r.targets.resolution?.shareMet)}</td><td>${pct(r.contractualShare)}</td><td>${bar(r.targets.resolution?.shareMet ?? r.targets.response?.shareMet, r.contractualShare)}</td></tr>`,
      )
      .join('')}</tbody></table>`;
}

/** In local mode, the virtual clock's control. */
async function clockControl() {
  const res = await fetch(`${API}/_local/clock`).catch(() => null);
  const el = document.getElementById('clock');
  if (!res?.ok) return;
  const show = (now) => {
    el.innerHTML = `<span>virtual time <strong id="now">${when(now)}</strong></span><input id="advance" value="P1D" size="6" aria-label="advance by"><button id="advance-button" type="button">Advance</button>`;
    document.getElementById('advance-button').onclick = async () => {
      const r = await fetch(`${API}/_local/clock`, {
        method: 'POST',
        body: JSON.stringify({ advance: document.getElementById('advance').value }),
      });
      show((await r.json()).now);
      render();
    };
  };
  el.hidden = false;
  show((await res.json()).now);
}

async function render() {
  const signedIn = !!token();
  document.getElementById('nav').hidden = !signedIn;
  if (!signedIn) {
    main.replaceChildren(signInForm);
    return;
  }
  const [route, query] = (location.hash.slice(1) || '/cases').split('?');
  try {
    if (route.startsWith('/case/')) await casePage(route.slice(6));
    else if (route === '/triage') await triagePage();
    else if (route === '/report') await reportPage();
    else await casesPage(new URLSearchParams(query));
  } catch (error) {
    if (token()) main.innerHTML = `<p class="error">${esc(error.message)}</p>`;
  }
}

signInForm.onsubmit = async (e) => {
  e.preventDefault();
  sessionStorage.setItem('casework-token', document.getElementById('token').value.trim());
  try {
    await api('/v1/triage'); // engineers only
    clockControl();
    render();
  } catch (error) {
    sessionStorage.removeItem('casework-token');
    document.getElementById('sign-in-error').textContent = `Not signed in: ${error.message}`;
  }
};
document.getElementById('sign-out').onclick = () => {
  sessionStorage.removeItem('casework-token');
  render();
};
addEventListener('hashchange', render);
if (token()) clockControl();
render();
