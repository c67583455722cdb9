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

/** A token's claims, read without checking it (the API verifies it; this is for display and timing). */
const claimsOf = (token) => {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
};

/** An ID token is renewed this long before it expires, so no call goes out with a dying one. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * The signed-in person's tokens, kept for the browser tab only: the ID token the API takes, and,
 * after a sign-in with the user pool, the refresh token that renews it (an hour each) for as long
 * as the app client lets it (a working day) without asking the person again.
 */
export function session(storageKey) {
  const refreshKey = `${storageKey}-refresh`;
  const token = () => sessionStorage.getItem(storageKey);
  let renewing = null;

  /** A new ID token from the refresh token (one request at a time); false when there is none to be had. */
  const renew = () => {
    const refreshToken = sessionStorage.getItem(refreshKey);
    if (!refreshToken || !SIGN_IN) return Promise.resolve(false);
    renewing ??= cognitoClient(SIGN_IN)
      .refresh(refreshToken)
      .then(
        ({ AuthenticationResult }) => {
          sessionStorage.setItem(storageKey, AuthenticationResult.IdToken);
          // With refresh token rotation on, Cognito answers a new one, the old one then void.
          if (AuthenticationResult.RefreshToken)
            sessionStorage.setItem(refreshKey, AuthenticationResult.RefreshToken);
          return true;
        },
        (error) => {
          // Refused (expired, revoked, the account disabled): it will never serve again.
          if (error.type === 'NotAuthorizedException') sessionStorage.removeItem(refreshKey);
          return false;
        },
      )
      .finally(() => {
        renewing = null;
      });
    return renewing;
  };

  return {
    token,
    renew,
    /** The ID token for a call, renewed first when it is about to expire. */
    async fresh() {
      const expires = (claimsOf(token() ?? '').exp ?? 0) * 1000;
      if (expires - Date.now() < RENEW_BEFORE_MS) await renew();
      return token();
    },
    signIn(value, refreshToken) {
      sessionStorage.setItem(storageKey, value);
      if (refreshToken) sessionStorage.setItem(refreshKey, refreshToken);
      else sessionStorage.removeItem(refreshKey);
    },
    /** Forgets the tokens, and revokes the refresh token so that no copy of it signs anyone in. */
    signOut() {
      const refreshToken = sessionStorage.getItem(refreshKey);
      sessionStorage.removeItem(storageKey);
      sessionStorage.removeItem(refreshKey);
      if (refreshToken && SIGN_IN)
        cognitoClient(SIGN_IN)
          .revoke(refreshToken)
          .catch(() => {});
    },
    /** Who is signed in, read from the token (the API verifies it; this is only for display). */
    me() {
      const claims = claimsOf(token() ?? '');
      return claims.email ?? claims.sub ?? '';
    },
  };
}

/**
 * A JSON client of the API for a session. Its ID token is renewed before it expires, and once more
 * if the API refuses it; a token still refused signs the person out: `onSignedOut` shows the
 * sign-in again, and the call fails with `signedOutMessage`.
 */
export function apiClient(who, { onSignedOut, signedOutMessage }) {
  return async function api(path, { method = 'GET', body, idempotencyKey, accept } = {}) {
    const send = async (token) =>
      fetch(`${API}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          ...(accept ? { accept } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let res = await send(await who.fresh());
    if (res.status === 401 && (await who.renew())) res = await send(who.token());
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

// ——— Sign-in ———

/**
 * The user pool people sign in with, as the host told the page (`globalThis.CASEWORK_SIGN_IN =
 * {endpoint, clientId}`: the local Cognito emulator, or `https://cognito-idp.<region>.amazonaws.com/`).
 */
export const SIGN_IN = globalThis.CASEWORK_SIGN_IN;

/** The password policy of the user pool (infra/identity.ts), as people read it. */
export const PASSWORD_POLICY =
  'at least 12 characters, with a digit, a lower-case letter, an upper-case letter and a symbol';

export class CognitoError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

/**
 * A client of Cognito's JSON 1.1 API over fetch, for the calls a sign-in makes: none needs AWS
 * credentials, so the page talks to Cognito itself. An error is a `CognitoError` of Cognito's type.
 */
export function cognitoClient({ endpoint, clientId }) {
  const call = async (action, body) => {
    let res;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new CognitoError(
        'NetworkError',
        'The sign-in service cannot be reached: check the connection, then try again.',
      );
    }
    const answer = await res.json().catch(() => ({}));
    // `__type` may carry a namespace before `#`, as the SDK allows.
    if (!res.ok)
      throw new CognitoError(
        String(answer.__type ?? '')
          .split('#')
          .pop() || `HTTP ${res.status}`,
        answer.message ?? answer.Message ?? `The sign-in service answered ${res.status}.`,
      );
    return answer;
  };
  return {
    initiate: (username, password) =>
      call('InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    respond: (ChallengeName, Session, ChallengeResponses) =>
      call('RespondToAuthChallenge', { ClientId: clientId, ChallengeName, Session, ChallengeResponses }),
    associate: (Session) => call('AssociateSoftwareToken', { Session }),
    verify: (Session, UserCode) =>
      call('VerifySoftwareToken', { Session, UserCode, FriendlyDeviceName: 'casework authenticator' }),
    refresh: (refreshToken) =>
      call('InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    revoke: (Token) => call('RevokeToken', { Token, ClientId: clientId }),
    forgot: (Username) => call('ForgotPassword', { ClientId: clientId, Username }),
    reset: (Username, ConfirmationCode, Password) =>
      call('ConfirmForgotPassword', { ClientId: clientId, Username, ConfirmationCode, Password }),
  };
}

/** Why Cognito found a new password too weak (each rule its message names), in a person's words. */
function weakPassword(message) {
  const reasons = [
    [/long enough|length/i, 'shorter than 12 characters'],
    [/numeric|digit/i, 'no digit'],
    [/lowercase|lower-case/i, 'no lower-case letter'],
    [/uppercase|upper-case/i, 'no upper-case letter'],
    [/symbol|special/i, 'no symbol'],
  ];
  const why = reasons.filter(([pattern]) => pattern.test(message)).map(([, words]) => words);
  return `Too weak${why.length ? ` (${why.join(', ')})` : ''}. A password needs ${PASSWORD_POLICY}.`;
}

const CODE_WRONG = 'This is not the code your authenticator app shows now: type its current 6 digits.';
const TOO_MANY = 'Too many attempts: wait a few minutes, then try again.';

/**
 * A Cognito error as the sign-in form shows it: the field it is about (the one the person fixes)
 * and words a person understands. `step` is the form's step: `password`, `new-password`, `code`,
 * or, for a forgotten password, `forgot` (the address) and `reset` (the mailed code, a new password).
 */
export function signInError(error, step) {
  const message = error.message ?? '';
  if (step === 'reset') {
    if (error.type === 'CodeMismatchException')
      return {
        field: 'code',
        message:
          'This is not the code we mailed: type the 6 digits of the latest mail, or ask for a new code.',
      };
    if (error.type === 'ExpiredCodeException')
      return {
        restart: 'forgot',
        message: 'This code has expired (a code lasts an hour): ask for a new one.',
      };
    if (error.type === 'LimitExceededException')
      return { restart: 'forgot', message: 'Too many wrong codes: ask for a new one.' };
  }
  if (step === 'forgot' && /current state/i.test(message))
    return {
      field: 'email',
      message:
        'This account has no password of its own yet: sign in with the temporary password of your invitation mail (if it expired, ask your support desk for a new invitation).',
    };
  switch (error.type) {
    case 'NotAuthorizedException':
      // A challenge's session lasts minutes; past it, the sign-in starts over.
      if (/session/i.test(message))
        return { restart: true, message: 'The sign-in took too long: please sign in again.' };
      if (/disabled/i.test(message))
        return { field: 'email', message: 'This account is disabled: ask your support desk.' };
      if (/attempts exceeded/i.test(message)) return { field: 'password', message: TOO_MANY };
      if (/expired/i.test(message))
        return {
          field: 'password',
          message: 'This temporary password has expired: ask your support desk to invite you again.',
        };
      return { field: 'password', message: 'Incorrect e-mail or password.' };
    case 'UserNotFoundException':
      return { field: 'password', message: 'Incorrect e-mail or password.' };
    case 'PasswordResetRequiredException':
      return { field: 'password', message: 'This password must be reset: ask your support desk.' };
    case 'InvalidPasswordException':
      return { field: 'newPassword', message: weakPassword(message) };
    case 'CodeMismatchException':
    case 'EnableSoftwareTokenMFAException':
      return { field: 'code', message: CODE_WRONG };
    case 'ExpiredCodeException':
      return {
        field: 'code',
        message: 'This code was used already: type the next one your authenticator app shows.',
      };
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
    case 'LimitExceededException':
      return {
        field: step === 'password' ? 'password' : step === 'code' ? 'code' : undefined,
        message: TOO_MANY,
      };
    case 'InvalidParameterException':
      if (step === 'forgot') return { field: 'email', message };
      if (step === 'code')
        return { field: 'code', message: 'A code is the 6 digits your authenticator app shows.' };
      return { field: step === 'new-password' ? 'newPassword' : 'email', message };
    default:
      return { message };
  }
}

/** The link that adds the account to an authenticator app (Key URI Format: label `issuer:account`). */
export const otpauthLink = (email, secret) =>
  `otpauth://totp/casework:${encodeURIComponent(email).replace(/%40/g, '@')}?secret=${encodeURIComponent(secret)}&issuer=casework`;

/**
 * The user pool's sign-in, step by step in `place`: e-mail and password; for an invited person, a
 * password of their own, then their authenticator app set up; later, the app's code. Each step is
 * one form; its first field takes the focus, and a refusal shows on the field to fix. "Forgot your
 * password?" mails a code and takes a new password with it. The ID token and the refresh token go
 * to `signedIn(token, refreshToken)`, which may refuse them by throwing (its message shows on the form).
 */
export function poolSignIn(place, config, { signedIn, level = 2 }) {
  const cognito = cognitoClient(config);
  const h = `h${level}`;
  let email = '';

  /**
   * Shows one step's form; its submission runs `submit`, a refusal shows on the form. A `notice`
   * says what just happened (a code mailed, a password set) above the form's fields.
   */
  const step = (name, html, submit, { focus = true, error, notice } = {}) => {
    const form = document.createElement('form');
    form.id = 'pool-sign-in';
    form.className = 'card';
    form.dataset.step = name;
    form.innerHTML = `${notice ? `<p class="notice" role="status">${esc(notice)}</p>` : ''}${html}<p class="form-error" role="alert"></p>`;
    place.replaceChildren(form);
    const button = form.querySelector('button[type=submit]');
    form.onsubmit = async (e) => {
      e.preventDefault();
      button.disabled = true;
      form.setAttribute('aria-busy', 'true');
      try {
        await submit(form);
      } catch (failure) {
        const shown =
          failure instanceof CognitoError ? signInError(failure, name) : { message: failure.message };
        if (shown.restart === 'forgot') return forgotStep({ message: shown.message });
        if (shown.restart) return passwordStep({ message: shown.message });
        showError(form, shown);
      } finally {
        button.disabled = false;
        form.removeAttribute('aria-busy');
      }
    };
    form.querySelector('.back')?.addEventListener('click', () => passwordStep({ focus: true }));
    if (error) showError(form, error);
    else if (focus) form.querySelector('input')?.focus();
  };

  /** Cognito's answer: the tokens (signed in) or the next challenge's step. */
  const next = async (answer) => {
    if (answer.AuthenticationResult)
      return signedIn(answer.AuthenticationResult.IdToken, answer.AuthenticationResult.RefreshToken);
    const { ChallengeName, Session, ChallengeParameters = {} } = answer;
    // With e-mail sign-in, Cognito names the user by an id of its own, which its challenges take.
    const username = ChallengeParameters.USER_ID_FOR_SRP ?? ChallengeParameters.USERNAME ?? email;
    if (ChallengeName === 'NEW_PASSWORD_REQUIRED') return newPasswordStep(Session, username);
    if (ChallengeName === 'MFA_SETUP') return setUpStep(Session, username);
    if (ChallengeName === 'SOFTWARE_TOKEN_MFA') return codeStep(Session, username);
    throw new Error(
      `This account asks for a sign-in step this page does not offer (${ChallengeName}): ask your support desk.`,
    );
  };

  const passwordStep = ({ focus = false, message, notice } = {}) => {
    step(
      'password',
      `<label>E-mail<input name="email" type="email" autocomplete="username" required value="${esc(email)}"></label>
       <label>Password<input name="password" type="password" autocomplete="current-password" required></label>
       <button type="submit">Sign in</button>
       <button type="button" class="link" id="forgot-password">Forgot your password?</button>`,
      async (form) => {
        email = form.email.value.trim();
        await next(await cognito.initiate(email, form.password.value));
      },
      { focus, notice, error: message ? { field: 'password', message } : undefined },
    );
    // After a reset the address is known: the password is what to type.
    if (notice) place.querySelector('input[name=password]').focus();
    document.getElementById('forgot-password').onclick = () => {
      email = place.querySelector('input[name=email]').value.trim();
      forgotStep();
    };
  };

  /** A forgotten password: the address, to which Cognito mails a code (if it knows the address). */
  const forgotStep = ({ message } = {}) =>
    step(
      'forgot',
      `<${h}>Reset your password</${h}>
       <p id="forgot-help">We mail a 6-digit code to your address; with it, you choose a new password.</p>
       <label>E-mail<input name="email" type="email" autocomplete="username" required value="${esc(email)}" aria-describedby="forgot-help"></label>
       <button type="submit">Mail me a code</button>
       <button type="button" class="link back">Back to sign in</button>`,
      async (form) => {
        email = form.email.value.trim();
        await cognito.forgot(email);
        resetStep();
      },
      { error: message ? { field: 'email', message } : undefined },
    );

  const resetStep = () =>
    step(
      'reset',
      `<${h}>Choose a new password</${h}>
       <p id="reset-help">If ${esc(email)} has an account here, a mail with a 6-digit code is on its way to it
         (the code lasts an hour). A password needs ${PASSWORD_POLICY}.</p>
       <label>Code from the mail<input name="code" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="reset-help"></label>
       <label>New password<input name="newPassword" type="password" autocomplete="new-password" required></label>
       <label>New password again<input name="again" type="password" autocomplete="new-password" required></label>
       <button type="submit">Set the password</button>
       <button type="button" class="link back">Back to sign in</button>`,
      async (form) => {
        if (form.newPassword.value !== form.again.value)
          return showError(form, {
            field: 'again',
            message: 'The two passwords differ: type the same one twice.',
          });
        await cognito.reset(email, code(form), form.newPassword.value);
        passwordStep({
          focus: true,
          notice: 'Your new password is set: sign in with it (and your authenticator app’s code).',
        });
      },
    );

  const newPasswordStep = (session, username) =>
    step(
      'new-password',
      `<${h}>Choose your password</${h}>
       <p id="password-policy">The password from your invitation served once. Choose your own: ${PASSWORD_POLICY}.</p>
       <label>New password<input name="newPassword" type="password" autocomplete="new-password" required aria-describedby="password-policy"></label>
       <label>New password again<input name="again" type="password" autocomplete="new-password" required></label>
       <button type="submit">Set the password</button>`,
      async (form) => {
        if (form.newPassword.value !== form.again.value)
          return showError(form, {
            field: 'again',
            message: 'The two passwords differ: type the same one twice.',
          });
        await next(
          await cognito.respond('NEW_PASSWORD_REQUIRED', session, {
            USERNAME: username,
            NEW_PASSWORD: form.newPassword.value,
          }),
        );
      },
    );

  const setUpStep = async (session, username) => {
    const { SecretCode, Session } = await cognito.associate(session);
    let current = Session;
    step(
      'code',
      `<${h}>Set up your authenticator app</${h}>
       <div id="totp-help">
         <p>Each sign-in asks for a code from an authenticator app on your phone or computer (for example
           Google Authenticator, Microsoft Authenticator, 1Password or Authy).</p>
         <ol>
           <li>On the device with the app, <a id="totp-link" href="${esc(otpauthLink(email, SecretCode))}">add casework to your authenticator app</a>;
             or, in the app, add a time-based account by hand with this key:
             <code id="totp-secret" class="secret">${esc(SecretCode)}</code></li>
           <li>Type the 6-digit code the app shows for casework.</li>
         </ol>
       </div>
       <label>Code from the app<input name="code" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="totp-help"></label>
       <button type="submit">Confirm and sign in</button>`,
      async (form) => {
        const verified = await cognito.verify(current, code(form));
        current = verified.Session ?? current;
        await next(await cognito.respond('MFA_SETUP', current, { USERNAME: username }));
      },
    );
  };

  const codeStep = (session, username) =>
    step(
      'code',
      `<${h}>Code from your authenticator app</${h}>
       <p id="code-help">Open your authenticator app and type the 6-digit code it shows for casework.</p>
       <label>Code<input name="code" inputmode="numeric" autocomplete="one-time-code" required aria-describedby="code-help"></label>
       <button type="submit">Sign in</button>`,
      async (form) =>
        next(
          await cognito.respond('SOFTWARE_TOKEN_MFA', session, {
            USERNAME: username,
            SOFTWARE_TOKEN_MFA_CODE: code(form),
          }),
        ),
    );

  passwordStep();
}

/** The code as typed, without the spaces apps show in the middle of it. */
const code = (form) => form.code.value.replace(/\s+/g, '');

/**
 * A site's sign-in page in `main`: the user pool's sign-in first when the host set it; then, on
 * the local system, a quick sign-in as anyone of the demo catalogue; and the paste-a-token form,
 * for operators (both behind "Other ways to sign in" when the pool's sign-in is there). A token
 * goes to `signedIn(token)`, which may refuse it by throwing. An existing sign-in page is kept
 * (a person halfway through a step keeps it).
 */
export async function signInPage(main, { heading = 'h1', localEmail, tokenHelp = '', signedIn }) {
  if (main.querySelector('#sign-in')) return;
  const level = Number(heading.slice(1));
  const local = (await fetch(`${API}/_local/clock`).catch(() => null))?.ok;
  const others = `${
    local
      ? `<form id="local-sign-in" class="card"><p>Local system: sign in as anyone of the demo catalogue.</p>
          <label>E-mail<input name="email" type="email" value="${esc(localEmail)}" required autocomplete="email"></label>
          <p class="form-error" role="alert"></p><button type="submit">Sign in on the local system</button></form>`
      : ''
  }
    <form id="token-sign-in" class="card"><label>Access token<textarea name="token" rows="3" required aria-describedby="token-help"></textarea></label>
      <p id="token-help" class="muted">A bearer token (an ID token of the user pool)${tokenHelp}.</p>
      <p class="form-error" role="alert"></p><button type="submit">Sign in with the token</button></form>`;
  main.innerHTML = `<section id="sign-in"><${heading}>Sign in</${heading}>
    ${
      SIGN_IN
        ? `<div id="pool"></div><details id="other-sign-in"><summary>Other ways to sign in${local ? ': the local system, a token' : ': a token'}</summary>${others}</details>`
        : others
    }</section>`;
  const refusable = (form, take) => async (e) => {
    e.preventDefault();
    try {
      await signedIn(await take());
    } catch (error) {
      showError(form, error);
    }
  };
  if (SIGN_IN) poolSignIn(document.getElementById('pool'), SIGN_IN, { signedIn, level: level + 1 });
  const localForm = document.getElementById('local-sign-in');
  if (localForm)
    localForm.onsubmit = refusable(localForm, async () => {
      const res = await fetch(`${API}/_local/token`, {
        method: 'POST',
        body: JSON.stringify({ email: localForm.email.value }),
      });
      const body = await res.json();
      if (!res.ok) throw new ApiError(res.status, body.error);
      return body.token;
    });
  const tokenForm = document.getElementById('token-sign-in');
  tokenForm.onsubmit = refusable(tokenForm, () => tokenForm.token.value.trim());
}
