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

/** Answers a GET under a site's prefix; false when the path belongs to no site. */
export function serveStaticSite(pathname: string, res: ServerResponse): boolean {
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
  return sendFile(res, file && path.join(import.meta.dirname, site, file), site, name);
}

function sendFile(res: ServerResponse, file: string | undefined, site: string, name: string) {
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
  res.end(content);
  return true;
}

/**
 * Writes the sites as a static host serves them (`console/`, `portal/`, `web/` with the vendored
 * libraries' files) into `target`, each page told the API's URL (locally it is the page's origin).
 */
export function writeStaticSites(target: string, apiUrl: string) {
  for (const site of SITES)
    cpSync(path.join(import.meta.dirname, site), path.join(target, site), { recursive: true });
  for (const [library, folder] of VENDOR) {
    const into = path.join(target, 'web', 'vendor', library);
    mkdirSync(into, { recursive: true });
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.js')))
      cpSync(path.join(folder, file), path.join(into, file));
  }
  const setting = `<script>globalThis.CASEWORK_API = ${JSON.stringify(apiUrl.replace(/\/+$/, ''))};</script>`;
  for (const site of ['console', 'portal']) {
    const page = path.join(target, site, 'index.html');
    writeFileSync(page, readFileSync(page, 'utf8').replace('<head>', `<head>\n  ${setting}`));
  }
}

// `npm run sites -- <folder> <API URL>`: the folder to copy to the sites' host.
if (process.argv[1] === import.meta.filename) {
  const [target, apiUrl] = process.argv.slice(2);
  if (!target || !apiUrl) {
    console.error('usage: npm run sites -- <folder> <API URL>');
    process.exit(2);
  }
  writeStaticSites(target, apiUrl);
  console.log(`sites written to ${target}: console/, portal/, web/`);
}
