// What the engineers' console and the customer portal share: the API client, sign-in state, HTML
// escaping, form errors, the status line and file downloads. Served beside both sites (`/web/`).

/** The API's base URL: the page's own origin locally; set `globalThis.CASEWORK_API` elsewhere. */
export const API = globalThis.CASEWORK_API ?? '';

export const esc = (s) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
export const uid = () => crypto.randomUUID();
export const hex = (buffer) =>
  [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Says what just happened in the page's status line (announced to screen readers); with `focus`,
 * the keyboard's focus moves to it, as to the result of what the person just did.
 */
export function say(text, { focus = false } = {}) {
  const line = document.getElementById('status-line');
  line.textContent = text;
  if (focus) line.focus();
}

/** After a move to another page, the keyboard's focus goes to its heading (or its error). */
export function focusHeading(main) {
  const heading = main.querySelector('h1, h2, .error');
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus();
}

/**
 * A page's renderer run one page at a time, the latest asked for winning: a slow answer for a page
 * the person has already left never paints over the page they moved to.
 */
export function latestOnly(renderPage) {
  let queue = Promise.resolve();
  let asked = 0;
  return (...args) => {
    const n = ++asked;
    const run = () => (n === asked ? renderPage(...args) : undefined);
    queue = queue.then(run, run);
    return queue;
  };
}

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.field = error?.field;
  }
}

/** The signed-in person's token, kept for the browser tab only. */
export function session(storageKey) {
  const token = () => sessionStorage.getItem(storageKey);
  return {
    token,
    signIn: (value) => sessionStorage.setItem(storageKey, value),
    signOut: () => sessionStorage.removeItem(storageKey),
    /** Who is signed in, read from the token (the API verifies it; this is only for display). */
    me() {
      try {
        const payload = JSON.parse(atob(token().split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
        return payload.email ?? payload.sub ?? '';
      } catch {
        return '';
      }
    },
  };
}

/**
 * A JSON client of the API for a session. A refused token signs the person out: `onSignedOut`
 * shows the sign-in again, and the call fails with `signedOutMessage`.
 */
export function apiClient(who, { onSignedOut, signedOutMessage }) {
  return async function api(path, { method = 'GET', body, idempotencyKey, accept } = {}) {
    const res = await fetch(`${API}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${who.token()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
        ...(accept ? { accept } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    if (res.status === 401) {
      who.signOut();
      onSignedOut();
      throw new ApiError(401, { message: signedOutMessage });
    }
    if (!res.ok) throw new ApiError(res.status, answer?.error);
    return answer;
  };
}

/**
 * Shows an API error on its form: the message after the name of the field it names (its label's
 * words), the field marked invalid and focused, so a person lands where the fix is.
 */
export function showError(form, error) {
  const out = form.querySelector('.form-error');
  const field = error.field ? form.elements.namedItem(error.field) : null;
  const label = field?.labels?.[0] ?? field?.closest?.('label');
  const name = label ? label.firstChild.textContent.trim() : error.field;
  out.textContent = name ? `${name}: ${error.message}` : error.message;
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (field?.setAttribute) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  }
}

/**
 * Downloads a case file: the API answers its presigned GET (JSON instead of the redirect a fetch
 * cannot read), and the browser goes there; S3 answers it as an attachment under the file's name,
 * so the page stays and the download streams to disk whatever the file's size.
 */
export async function downloadFile(api, caseNumber, fileId) {
  const { url } = await api(`/v1/cases/${caseNumber}/files/${fileId}`, { accept: 'application/json' });
  const a = document.createElement('a');
  a.href = url;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
