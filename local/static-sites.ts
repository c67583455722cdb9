import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The two static sites over the API: the engineers' console (`/console/`) and the customer portal
 * (`/portal/`), with what they share (`/web/`: modules and base styles, no page of its own), served
 * locally as a static host (S3 + CloudFront) would serve them on AWS.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
const SITES = ['console', 'portal', 'web'] as const;
/**
 * Libraries the pages import, served from their packages' own ESM files (their relative imports
 * resolve beside them); a deployment copies the same files to the same paths.
 */
export const VENDOR = new Map([
  ['noble-hashes', path.dirname(createRequire(import.meta.url).resolve('@noble/hashes/sha2.js'))],
]);

/** Where the pages sign people in: a Cognito endpoint and the user pool's app client. */
export interface SignInSettings {
  endpoint: string;
  clientId: string;
}

/**
 * The settings a page reads before its script runs, in a script at the top of its `<head>`: the
 * API's URL (the page's own origin when not given) and where to sign in.
 */
function withSettings(page: string, settings: { api?: string; signIn: SignInSettings }): string {
  const lines = [
    ...(settings.api ? [`globalThis.CASEWORK_API = ${JSON.stringify(settings.api)};`] : []),
    `globalThis.CASEWORK_SIGN_IN = ${JSON.stringify(settings.signIn)};`,
  ];
  return page.replace('<head>', `<head>\n  <script>${lines.join(' ')}</script>`);
}

/** Answers a GET under a site's prefix; false when the path belongs to no site. */
export function serveStaticSite(pathname: string, res: ServerResponse, signIn: SignInSettings): boolean {
  const site = SITES.find((s) => pathname === `/${s}` || pathname.startsWith(`/${s}/`));
  if (!site) return false;
  // Relative links (style.css, app.js) resolve under /site/.
  if (pathname === `/${site}`) {
    res.writeHead(301, { location: `/${site}/` });
    res.end();
    return true;
  }
  const name = pathname.slice(site.length + 2);
  const [, library = '', module = ''] = /^vendor\/([\w-]+)\/([\w-]+\.js)$/.exec(name) ?? [];
  const folder = site === 'web' ? VENDOR.get(library) : undefined;
  if (folder) return sendFile(res, path.join(folder, module), site, name);
  const asset = /^[\w-]+\.(html|js|css)$/.test(name) ? name : undefined;
  // The portal's pages are paths (mail links to /portal/cases/N): any other path is its index page.
  const file = asset ?? (site === 'portal' || (site === 'console' && name === '') ? 'index.html' : undefined);
  return sendFile(res, file && path.join(import.meta.dirname, site, file), site, name, (page) =>
    withSettings(page, { signIn }),
  );
}

function sendFile(
  res: ServerResponse,
  file: string | undefined,
  site: string,
  name: string,
  settle?: (page: string) => string,
) {
  let content: Buffer | undefined;
  try {
    content = file ? readFileSync(file) : undefined;
  } catch {}
  if (!file || !content) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'NotFound', message: `no ${site} file ${name}` } }));
    return true;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'text/plain',
    'cache-control': 'no-store',
  });
  res.end(settle && file?.endsWith('index.html') ? settle(content.toString('utf8')) : content);
  return true;
}

/**
 * Writes the sites as a static host serves them (`console/`, `portal/`, `web/` with the vendored
 * libraries' files) into `target`, each page told the API's URL (locally it is the page's origin)
 * and where to sign in.
 */
export function writeStaticSites(target: string, apiUrl: string, signIn: SignInSettings) {
  for (const site of SITES)
    cpSync(path.join(import.meta.dirname, site), path.join(target, site), { recursive: true });
  for (const [library, folder] of VENDOR) {
    const into = path.join(target, 'web', 'vendor', library);
    mkdirSync(into, { recursive: true });
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.js')))
      cpSync(path.join(folder, file), path.join(into, file));
  }
  for (const site of ['console', 'portal']) {
    const page = path.join(target, site, 'index.html');
    writeFileSync(
      page,
      withSettings(readFileSync(page, 'utf8'), { api: apiUrl.replace(/\/+$/, ''), signIn }),
    );
  }
}

/** The region of an API Gateway URL (`https://<id>.execute-api.<region>.amazonaws.com`). */
export const regionOfApi = (apiUrl: string) =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(apiUrl)?.[1];

// `npm run sites -- <folder> <ApiUrl> <UserPoolClientId>` (the stack's outputs): the folder to copy to the sites' host.
if (process.argv[1] === import.meta.filename) {
  const [target, apiUrl, clientId] = process.argv.slice(2);
  const region = apiUrl && regionOfApi(apiUrl);
  if (!target || !apiUrl || !clientId) {
    console.error('usage: npm run sites -- <folder> <ApiUrl output> <UserPoolClientId output>');
    process.exit(2);
  }
  if (!region) {
    console.error(
      `ApiUrl: ${apiUrl} is not an API Gateway URL (https://<id>.execute-api.<region>.amazonaws.com)`,
    );
    process.exit(2);
  }
  writeStaticSites(target, apiUrl, { endpoint: `https://cognito-idp.${region}.amazonaws.com/`, clientId });
  console.log(`sites written to ${target}: console/, portal/, web/`);
}
