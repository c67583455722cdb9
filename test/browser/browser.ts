import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { startTestRuntime, type TestRuntime } from '../integration/runtime.ts';

/**
 * A Chromium found on this machine, never installed by a test: `CASEWORK_BROWSER` if set, else
 * Playwright's own download, else the system's (`chromium`, `chromium-browser`, `google-chrome` on
 * the PATH). CI installs Debian's `chromium` before the tests (`.ci/run`).
 */
export function findBrowser(env = process.env, playwrights = playwrightsChromium()): string {
  const executable = (file: string | undefined) => {
    if (!file) return false;
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (env.CASEWORK_BROWSER) {
    if (executable(env.CASEWORK_BROWSER)) return env.CASEWORK_BROWSER;
    throw new Error(`CASEWORK_BROWSER=${env.CASEWORK_BROWSER} is not an executable file`);
  }
  if (executable(playwrights)) return playwrights as string;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of (env.PATH ?? '').split(path.delimiter)) {
      const file = path.join(dir, name);
      if (executable(file)) return file;
    }
  }
  throw new Error(
    'no browser found for the browser tests: set CASEWORK_BROWSER to a Chromium or Chrome executable, or install one (the Debian package chromium, which .ci/run installs)',
  );
}

/** Where Playwright's own Chromium is, when its own download was installed. */
function playwrightsChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({ executablePath: findBrowser(), args: ['--no-sandbox', '--disable-gpu'] });

/** The two widths every screen is checked at: a laptop's and a desktop monitor's. */
export const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

/**
 * Screenshots of the page at each width, kept in `test-artifacts/<dir>/` (CI artifacts). Each
 * screen shot is also checked for controls a screen reader could not name: `unlabelled` lists them.
 */
export function screenshots(dir: string) {
  const folder = path.join('test-artifacts', dir);
  mkdirSync(folder, { recursive: true });
  const unlabelled: string[] = [];
  const shot = async (page: Page, name: string) => {
    for (const control of await unlabelledControls(page)) unlabelled.push(`${name}: ${control}`);
    for (const size of WIDTHS) {
      await page.setViewportSize(size);
      await page.screenshot({ path: path.join(folder, `${name}-${size.width}.png`), fullPage: true });
    }
    await page.setViewportSize(WIDTHS[0]);
  };
  return Object.assign(shot, { unlabelled });
}

/** The visible form controls and buttons of a page that have no accessible name (label, aria-label, text). */
export const unlabelledControls = (page: Page) =>
  page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, summary, a[href]')]
    .filter((el) => el.getClientRects().length > 0)
    .filter((el) => {
      const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.labels?.length
        || (['BUTTON', 'SUMMARY', 'A'].includes(el.tagName) && el.textContent.trim());
      return !named;
    })
    .map((el) => el.outerHTML.slice(0, 120))`) as Promise<string[]>;

/** Fails on any script error a page raises: a broken page must not pass for a finished one. */
export function watchErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      errors.push(message.text());
  });
  return errors;
}

/** An element's text as a person sees it (rendered, laid out), once the element is there. */
// biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is the point, not a DOM property
export const seen = (locator: Locator) => locator.innerText();

/** A browser walk's parts: the whole system, a browser, and its page watched for script errors. */
export interface BrowserWalk {
  t: TestRuntime;
  browser: Browser;
  page: Page;
  /** Every script error a page of the walk raised. */
  errors: string[];
  /** Another page at 1280 px, a person of their own (own session storage), watched for errors too. */
  newPage(): Promise<Page>;
  stop(): Promise<void>;
}

/** The whole system with virtual time frozen at `at`, a browser and a page at 1280 px. */
export async function startBrowserWalk(at: string): Promise<BrowserWalk> {
  const t = await startTestRuntime(at);
  const browser = await launchBrowser().catch(async (error) => {
    await t.stop();
    throw error;
  });
  const errors: string[] = [];
  const newPage = async () => {
    const page = await browser.newPage({ viewport: WIDTHS[0], acceptDownloads: true });
    page.setDefaultTimeout(Number(process.env.CASEWORK_BROWSER_TIMEOUT_MS ?? 30_000));
    watchErrors(page, errors);
    return page;
  };
  return {
    t,
    browser,
    page: await newPage(),
    errors,
    newPage,
    stop: async () => {
      await browser.close();
      await t.stop();
    },
  };
}

/** What has the keyboard's focus: its tag, its name as a person reads it, and whether its ring shows. */
export interface Focus {
  tag: string;
  name: string;
  ring: boolean;
}
export const focusOf = (on: Page) =>
  on.evaluate(`(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const name = el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.innerText || '';
    return {
      tag: el.tagName.toLowerCase(),
      name: name.trim(),
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    };
  })()`) as Promise<Focus>;

/** Presses `key` until the focus is on what `wanted` names (at most `most` presses). */
export async function pressUntil(on: Page, key: string, wanted: Partial<Focus>, most = 80) {
  for (let i = 0; i < most; i++) {
    await on.keyboard.press(key);
    const focus = await focusOf(on);
    if (Object.entries(wanted).every(([k, v]) => focus[k as keyof Focus] === v)) return focus;
  }
  throw new Error(`${most} presses of ${key} never reached ${JSON.stringify(wanted)}`);
}
