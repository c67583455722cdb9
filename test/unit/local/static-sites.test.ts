import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { regionOfApi, writeStaticSites } from '../../../local/static-sites.ts';

const target = mkdtempSync(path.join(tmpdir(), 'casework-sites-'));
afterAll(() => rmSync(target, { recursive: true, force: true }));

/** The files a module imports relatively, and theirs, as a browser would fetch them. */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(
    /^import [^;]*?from ['"](\.{1,2}\/[^'"]+)['"]/gm,
  )) {
    const imported = path.resolve(path.dirname(file), spec as string);
    if (seen.has(imported)) continue;
    seen.add(imported);
    if (existsSync(imported)) importsOf(imported, seen);
  }
  return seen;
}

describe('the static sites as deployed (npm run sites)', () => {
  const signIn = { endpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/', clientId: '4example1client2id' };
  writeStaticSites(target, 'https://api.support.example/', signIn);

  it('every module the pages import, the vendored SHA-256 library’s included, is in the copied folder', () => {
    const modules = [
      ...importsOf(path.join(target, 'portal', 'app.js')),
      ...importsOf(path.join(target, 'console', 'app.js')),
    ];
    expect(modules).toEqual(
      expect.arrayContaining(
        ['sha2.js', '_md.js', '_u64.js', 'utils.js'].map((f) =>
          path.join(target, 'web', 'vendor', 'noble-hashes', f),
        ),
      ),
    );
    for (const module of modules) expect(existsSync(module), module).toBe(true);
  });

  it('each page is told the API’s URL (no trailing slash) and where to sign in, before its module runs', () => {
    for (const site of ['console', 'portal']) {
      const page = readFileSync(path.join(target, site, 'index.html'), 'utf8');
      expect(page).toContain('globalThis.CASEWORK_API = "https://api.support.example";');
      expect(page).toContain(`globalThis.CASEWORK_SIGN_IN = ${JSON.stringify(signIn)};`);
      expect(page.indexOf('CASEWORK_SIGN_IN')).toBeLessThan(page.indexOf('type="module"'));
    }
  });

  it('the sign-in endpoint is the Cognito endpoint of the API’s region (from the ApiUrl output)', () => {
    expect(regionOfApi('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/')).toBe('eu-west-1');
    expect(regionOfApi('https://api.support.example/')).toBeUndefined();
  });
});
