import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBrowser } from './browser.ts';

describe('the browser tests use a browser found on the machine, never install one', () => {
  it('CASEWORK_BROWSER wins when it names an executable', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'casework-browser-')), 'my-chrome');
    writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    expect(findBrowser({ CASEWORK_BROWSER: file, PATH: '' }, undefined)).toBe(file);
  });

  it('a CASEWORK_BROWSER that is no executable is an error naming the variable', () => {
    expect(() => findBrowser({ CASEWORK_BROWSER: '/nowhere/chrome', PATH: '' }, undefined)).toThrow(
      /CASEWORK_BROWSER/,
    );
  });

  it("Playwright's own Chromium is used when there is one", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'casework-pw-')), 'chrome');
    writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
    expect(findBrowser({ PATH: '' }, file)).toBe(file);
  });

  it('a chromium on the PATH is found; with none, the error says how to get one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'casework-path-'));
    writeFileSync(path.join(dir, 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findBrowser({ PATH: dir }, undefined)).toBe(path.join(dir, 'chromium'));
    expect(() =>
      findBrowser({ PATH: mkdtempSync(path.join(tmpdir(), 'casework-empty-')) }, undefined),
    ).toThrow(/set CASEWORK_BROWSER .*the Debian package chromium/);
  });
});
