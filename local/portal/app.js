// The customer portal: a static page over the casework HTTP API, for an account's contacts.
// Its pages are paths under the portal's base (mails link to …/cases/N and …/cases/N/survey).
import {
  ApiError,
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
import { uploadFile } from './upload.js';

const BASE = new URL(document.baseURI).pathname.replace(/\/$/, '');
const main = document.getElementById('main');
const who = session('casework-portal-token');
const { token, me } = who;
const api = apiClient(who, { onSignedOut: () => render(), signedOutMessage: 'please sign in again' });

const SEVERITIES = ['low', 'medium', 'high', 'critical', 'critical-production-down'];
const TYPES = ['problem', 'question', 'admin', 'feature-request', 'change-request'];
const ENVIRONMENTS = ['production', 'pre-production', 'test-lab', 'development'];
const SURVEY = [
  'How satisfied are you with the support you received overall?',
  'How satisfied are you with the speed of our first response?',
  "How would you rate the engineer's knowledge of the product?",
  'How well did we keep you informed while the case was open?',
  'How well did the solution solve your problem?',
  'How easy was it to open and follow your case?',
];

/** A date and time for people, in UTC (the clocks are contractual instants). */
const when = (iso) =>
  iso
    ? new Date(iso).toLocaleString('en-GB', {
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: 'UTC',
        timeZoneName: 'short',
      })
    : '';
/** "4BH" → "4 business hours", "2BD" → "2 business days", "30CD" → "30 calendar days". */
function spanWords(target) {
  const m = /^(\d+)(BH|BD|CH|CD|H|D)$/.exec(target ?? '');
  if (!m) return target ?? '';
  const n = Number(m[1]);
  const unit = {
    BH: 'business hour',
    BD: 'business day',
    CH: 'hour',
    CD: 'calendar day',
    H: 'hour',
    D: 'day',
  }[m[2]];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
const go = async (path) => {
  history.pushState(null, '', `${BASE}${path}`);
  say('');
  await render();
  focusHeading(main);
};

// ——— Sign-in ———

/** The sign-in page (shared with the console): a token from any way of signing in opens the portal. */
const signIn = () =>
  signInPage(main, {
    localEmail: 'dana@acme.example',
    signedIn: async (value, refreshToken) => {
      who.signIn(value, refreshToken);
      await render();
      focusHeading(main);
    },
  });

// ——— My cases ———

const STATUS_WORDS = {
  Open: 'We are working on it',
  'Awaiting Info': 'Waiting for you',
  'Solution Proposed': 'Solution proposed: please answer',
  Closed: 'Closed',
};

async function homePage() {
  let items = [];
  let problem = '';
  try {
    items = (await api('/v1/cases')).items;
  } catch (error) {
    problem = error.message;
  }
  main.innerHTML = `<div class="title-row"><h1>Your cases</h1><a class="button" href="new" data-link>Open a case</a></div>
    ${problem ? `<p class="error" role="alert">${esc(problem)}</p>` : ''}
    ${
      items.length
        ? `<table id="my-cases"><thead><tr><th scope="col">Case</th><th scope="col">Subject</th><th scope="col">Where it is</th><th scope="col">Last change</th></tr></thead><tbody>${items
            .map(
              (c) =>
                `<tr><td><a href="cases/${esc(c.number)}" data-link>${esc(c.number)}</a></td><td>${esc(c.subject)}</td><td>${esc(STATUS_WORDS[c.status] ?? c.status)}</td><td>${when(c.updatedAt)}</td></tr>`,
            )
            .join('')}</tbody></table>`
        : '<p>You have no case yet.</p>'
    }`;
}

// ——— Open a case ———

function newCasePage() {
  const options = (list, selected) =>
    list.map((v) => `<option ${v === selected ? 'selected' : ''}>${v}</option>`).join('');
  main.innerHTML = `<h1>Open a case</h1>
    <form id="new-case" class="card wide" data-key="${uid()}" novalidate>
      <div class="row">
        <label>Account<input name="account" required value="${esc(me().split('@')[1]?.split('.')[0] ?? '')}"></label>
        <label>Product<input name="product" required></label>
        <label>Version<input name="version"></label>
      </div>
      <div class="row">
        <label>Type<select name="type" aria-label="Type">${options(TYPES, 'problem')}</select></label>
        <label>Environment<select name="environment" aria-label="Environment">${options(ENVIRONMENTS, 'production')}</select></label>
        <label>Severity<select name="severity" aria-label="Severity">${options(SEVERITIES, 'medium')}</select></label>
      </div>
      <label>Subject<input name="subject" required maxlength="200"></label>
      <label>Description<textarea name="description" rows="5" required></textarea></label>
      <label>Business impact (required for high and critical)<textarea name="businessImpact" rows="2"></textarea></label>
      <div class="row">
        <label>Users affected<input name="usersAffected" type="number" min="0"></label>
        <label>Telephone (required for critical)<input name="contactPhone" type="tel"></label>
      </div>
      <label>Circumstances (what changed, what you tried)<textarea name="circumstances" rows="3"></textarea></label>
      <p class="form-error" role="alert"></p>
      <button type="submit">Open the case</button>
    </form>`;
  const form = document.getElementById('new-case');
  form.onsubmit = async (e) => {
    e.preventDefault();
    const body = {};
    for (const [k, v] of new FormData(form)) if (String(v).trim() !== '') body[k] = String(v).trim();
    if (body.usersAffected !== undefined) body.usersAffected = Number(body.usersAffected);
    try {
      const c = await api('/v1/cases', { method: 'POST', body, idempotencyKey: form.dataset.key });
      history.pushState(null, '', `${BASE}/cases/${c.number}`);
      await render();
      say(`Case # ${c.number} is open: we have sent you a confirmation by e-mail.`, { focus: true });
    } catch (error) {
      showError(form, error);
    }
  };
}

// ——— A case ———

/** A target's clock, said as a customer would want to hear it. */
function clockWords(kind, t) {
  const name =
    { response: 'first response', restoration: 'service restoration', resolution: 'resolution' }[kind] ??
    kind;
  const promise = `${spanWords(t.target)}`;
  const state = t.outcome?.state;
  if (state === 'met') return `Our ${name} came on ${when(t.outcome.at)}, within the ${promise} we promise.`;
  if (state === 'breached')
    return `Our ${name} is late: it was due ${when(t.due)} (${promise}). We are sorry; your case has been escalated internally.`;
  if (t.paused)
    return `The ${name} clock (${promise}) is stopped while we wait for you; it runs again when you answer.`;
  if (state === 'pending') return `We will give you our ${name} by ${when(t.due)} (${promise}).`;
  return '';
}

function statusWords(c) {
  switch (c.status) {
    case 'Open':
      return 'We are working on your case.';
    case 'Awaiting Info':
      return 'We need information from you to go on: see our request below and reply.';
    case 'Solution Proposed':
      return 'We have proposed a solution. Please tell us whether it solves your problem.';
    case 'Closed':
      return `This case was closed (${c.subStatus}) on ${when(c.closedAt)}.`;
    default:
      return c.status;
  }
}

async function casePage(number) {
  const [c, timeline, files] = await Promise.all([
    api(`/v1/cases/${number}`),
    api(`/v1/cases/${number}/timeline`),
    api(`/v1/cases/${number}/files`).catch(() => ({ items: [] })),
  ]);
  const clocks = Object.entries(c.sla ?? {})
    .filter(([, t]) => t.target)
    .map(([kind, t]) => `<li>${esc(clockWords(kind, t))}</li>`)
    .join('');
  const open = c.status !== 'Closed';
  const who = (actor) => (actor === me() ? 'You' : actor?.endsWith('@support.example') ? 'Support' : actor);
  main.innerHTML = `<p class="crumbs"><a href="./" data-link>Your cases</a> › Case # ${esc(c.number)}</p>
    <h1>${esc(c.subject)} <span class="number">Case # ${esc(c.number)}</span></h1>
    <p class="state state-${esc(c.status.replace(' ', '-').toLowerCase())}" id="case-status">${esc(statusWords(c))}</p>
    ${clocks ? `<section aria-labelledby="clocks-h"><h2 id="clocks-h">Our commitments</h2><ul id="clocks">${clocks}</ul></section>` : ''}
    ${
      c.status === 'Solution Proposed'
        ? `<section class="card" aria-labelledby="answer-h"><h2 id="answer-h">Does the solution work?</h2>
        <form id="accept" class="inline-form" data-key="${uid()}"><label>Anything to add (optional)<textarea name="note" rows="2"></textarea></label><p class="form-error" role="alert"></p><button type="submit">Yes, it solves my problem: close the case</button></form>
        <form id="reject" class="inline-form" data-key="${uid()}"><label>What is still wrong<textarea name="note" rows="2" required></textarea></label><p class="form-error" role="alert"></p><button type="submit" class="secondary">No, it does not solve it</button></form></section>`
        : ''
    }
    ${c.status === 'Closed' ? `<p><a href="cases/${esc(c.number)}/survey" data-link id="survey-link">Tell us how we did (six questions)</a></p>` : ''}
    <div class="two">
      <section aria-labelledby="conv-h"><h2 id="conv-h">Conversation</h2>
        <ol id="timeline">${timeline.items
          .map(
            (e) =>
              `<li class="${who(e.actor) === 'You' ? 'mine' : 'theirs'}"><div class="meta"><strong>${esc(who(e.actor))}</strong> · ${when(e.at)}${e.status ? ` · ${esc(STATUS_WORDS[e.status] ?? e.status)}` : ''}</div>${e.text ? `<div class="text">${esc(e.text)}</div>` : ''}</li>`,
          )
          .join('')}</ol>
        ${
          open
            ? `<form id="reply" class="card" data-key="${uid()}"><label>Your reply<textarea name="note" rows="4" required></textarea></label><p class="form-error" role="alert"></p><button type="submit">Send</button></form>`
            : ''
        }
      </section>
      <section aria-labelledby="files-h"><h2 id="files-h">Files</h2>
        <ul id="files"></ul>
        ${
          open
            ? `<form id="upload" class="card"><label>Add files (logs, screenshots)<input type="file" name="files" multiple required></label><div id="progress"></div><p class="form-error" role="alert"></p><button type="submit">Upload</button></form>`
            : ''
        }
        <h2>Details</h2>
        <dl class="details"><dt>Product</dt><dd>${esc(c.product)} ${esc(c.version ?? '')}</dd><dt>Severity</dt><dd>${esc(c.severity)}</dd><dt>Opened</dt><dd>${when(c.createdAt)}</dd><dt>Description</dt><dd class="prose">${esc(c.description)}</dd></dl>
      </section>
    </div>`;
  const post =
    (form, path, body, done = 'Thank you: sent.') =>
    async (e) => {
      e.preventDefault();
      try {
        await api(path, { method: 'POST', body: body(), idempotencyKey: form.dataset.key });
        await render();
        say(done, { focus: true });
      } catch (error) {
        showError(form, error);
      }
    };
  const reply = document.getElementById('reply');
  if (reply)
    reply.onsubmit = post(reply, `/v1/cases/${c.number}/updates`, () => ({ note: reply.note.value }));
  const accept = document.getElementById('accept');
  if (accept)
    accept.onsubmit = post(accept, `/v1/cases/${c.number}/actions/accept-solution`, () =>
      accept.note.value ? { note: accept.note.value } : {},
    );
  const reject = document.getElementById('reject');
  if (reject)
    reject.onsubmit = post(
      reject,
      `/v1/cases/${c.number}/actions/reject-solution`,
      () => ({ note: reject.note.value }),
      'Thank you: the case is back with our engineers, with what you told us.',
    );
  listFiles(c, files.items);
  const upload = document.getElementById('upload');
  if (upload) upload.onsubmit = (e) => uploadFiles(e, upload, c);
}

const size = (bytes) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
const fileItems = (items) =>
  items
    .map(
      (f) =>
        `<li>${
          f.status === 'uploaded'
            ? `<button type="button" class="download link" data-file="${esc(f.fileId)}">${esc(f.name)}</button>`
            : esc(f.name)
        } · ${size(f.size)} · ${esc(f.status)}</li>`,
    )
    .join('') || '<li class="muted">No files yet.</li>';

/** Each file's download button fetches its presigned GET; the browser saves the file. */
function listFiles(c, items) {
  const list = document.getElementById('files');
  list.innerHTML = fileItems(items);
  for (const button of list.querySelectorAll('button.download'))
    button.onclick = () =>
      downloadFile(api, c.number, button.dataset.file).catch((error) =>
        say(`${button.textContent} could not be downloaded: ${error.message}`),
      );
}

const refreshFiles = async (c) => listFiles(c, (await api(`/v1/cases/${c.number}/files`)).items);

/** Straight to S3, one file after the other, each with its progress bar. */
async function uploadFiles(e, form, c) {
  e.preventDefault();
  const chosen = [...form.files.files];
  if (!chosen.length) return;
  const progress = document.getElementById('progress');
  progress.innerHTML = chosen
    .map(
      (f, i) =>
        `<label>${esc(f.name)}<progress id="upload-${i}" max="100" value="0"></progress><span class="percent" id="upload-${i}-percent">0%</span></label><span class="note muted" id="upload-${i}-note" role="status"></span>`,
    )
    .join('');
  const submit = form.querySelector('button[type=submit]');
  submit.disabled = true;
  say(`Uploading ${chosen.length} file${chosen.length === 1 ? '' : 's'}…`);
  try {
    for (const [i, file] of chosen.entries()) {
      const bar = document.getElementById(`upload-${i}`);
      const percent = document.getElementById(`upload-${i}-percent`);
      const note = document.getElementById(`upload-${i}-note`);
      await uploadFile(
        api,
        c.number,
        file,
        (share) => {
          bar.value = Math.floor(share * 100);
          percent.textContent = `${bar.value}%`;
        },
        // A big file takes a while to read for its checksum before the first byte goes up.
        (share) => {
          percent.textContent = `reading ${Math.floor(share * 100)}%`;
        },
        // A resumed upload says how much S3 held already; a restarted one, why it starts over.
        (words) => {
          note.textContent = words;
        },
      ).catch((error) => {
        throw new ApiError(error.status, { message: `${file.name}: ${error.message}` });
      });
    }
    // The list is refreshed in place: the progress bars stay, full, beside it.
    await refreshFiles(c);
    form.reset();
    say(`Uploaded ${chosen.length} file${chosen.length === 1 ? '' : 's'}.`);
  } catch (error) {
    say('');
    showError(form, error);
    // A failed upload may have left a half-sent file (listed as pending until it is sent again).
    await refreshFiles(c).catch(() => {});
  } finally {
    submit.disabled = false;
  }
}

// ——— Survey ———

async function surveyPage(number) {
  const c = await api(`/v1/cases/${number}`);
  main.innerHTML = `<p class="crumbs"><a href="./" data-link>Your cases</a> › <a href="cases/${esc(c.number)}" data-link>Case # ${esc(c.number)}</a> › Survey</p>
    <h1>How did we do on case # ${esc(c.number)}?</h1>
    <p>${esc(c.subject)}. 1 is poor, 5 is excellent.</p>
    <form id="survey" class="card wide" data-key="${uid()}">
      ${SURVEY.map(
        (q, i) =>
          `<fieldset><legend>${i + 1}. ${esc(q)}</legend>${[1, 2, 3, 4, 5]
            .map(
              (n) =>
                `<label class="choice"><input type="radio" name="q${i}" value="${n}" required> ${n}</label>`,
            )
            .join('')}</fieldset>`,
      ).join('')}
      <label>Anything else you want to tell us<textarea name="comment" rows="3"></textarea></label>
      <p class="form-error" role="alert"></p>
      <button type="submit">Send my answers</button>
    </form>`;
  const form = document.getElementById('survey');
  form.onsubmit = async (e) => {
    e.preventDefault();
    const ratings = SURVEY.map((_, i) => Number(form.querySelector(`input[name=q${i}]:checked`)?.value));
    const comment = form.comment.value.trim();
    try {
      await api(`/v1/cases/${c.number}/survey`, {
        method: 'POST',
        body: { ratings, ...(comment ? { comment } : {}) },
        idempotencyKey: form.dataset.key,
      });
      main.innerHTML = `<h1>Thank you</h1><p id="survey-done">Your answers about case # ${esc(c.number)} help us improve.</p><p><a href="./" data-link>Back to your cases</a></p>`;
    } catch (error) {
      showError(form, error);
    }
  };
}

// ——— Routing ———

const render = latestOnly(async () => {
  const signedIn = !!token();
  document.getElementById('sign-out').hidden = !signedIn;
  document.getElementById('me').textContent = signedIn ? me() : '';
  if (!signedIn) return signIn();
  const path = location.pathname.slice(BASE.length).replace(/\/$/, '') || '/';
  try {
    const survey = /^\/cases\/(\d+)\/survey$/.exec(path);
    const kase = /^\/cases\/(\d+)$/.exec(path);
    if (survey) await surveyPage(survey[1]);
    else if (kase) await casePage(kase[1]);
    else if (path === '/new') newCasePage();
    else await homePage();
  } catch (error) {
    main.innerHTML = `<p class="error" role="alert">${esc(error.message)}</p><p><a href="./" data-link>Your cases</a></p>`;
  }
});

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.metaKey || e.ctrlKey) return;
  e.preventDefault();
  go(new URL(a.href).pathname.slice(BASE.length) || '/');
});
addEventListener('popstate', render);
document.getElementById('sign-out').onclick = () => {
  who.signOut();
  render();
};
render();
