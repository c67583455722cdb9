import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedTemplate, type Template } from '#local/template.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A cache folder of its own, sources whose hash the test sets, and a count of syntheses. */
function cache() {
  const dir = mkdtempSync(path.join(tmpdir(), 'casework-template-'));
  dirs.push(dir);
  const state = { hash: 'a', syntheses: 0 };
  const template = (version: string): Template => ({ Resources: { [version]: { Type: 'AWS::S3::Bucket' } } });
  return {
    dir,
    state,
    template,
    options: (whileSynthesizing: () => void = () => {}) => ({
      dir,
      hash: () => state.hash,
      synthesize: async () => {
        state.syntheses++;
        const made = template(state.hash);
        whileSynthesizing();
        return made;
      },
    }),
  };
}

describe('the template is synthesized once per version of its sources', () => {
  it('a second start with the same sources reads the cache; a change synthesizes again', async () => {
    const { state, options, template } = cache();
    expect(await cachedTemplate(options())).toEqual(template('a'));
    expect(await cachedTemplate(options())).toEqual(template('a'));
    expect(state.syntheses).toBe(1);
    state.hash = 'b';
    expect(await cachedTemplate(options())).toEqual(template('b'));
    expect(state.syntheses).toBe(2);
  });

  it('processes starting together synthesize once', async () => {
    const { state, options } = cache();
    await Promise.all([cachedTemplate(options()), cachedTemplate(options()), cachedTemplate(options())]);
    expect(state.syntheses).toBe(1);
  });

  it('sources edited during a synthesis: its template is used but kept under neither hash, and the next start synthesizes the new sources', async () => {
    const { dir, state, options, template } = cache();
    const lines: string[] = [];
    const edited = await cachedTemplate({
      ...options(() => {
        state.hash = 'b';
      }),
      progress: (line) => lines.push(line),
    });
    expect(edited).toEqual(template('a'));
    expect(lines.at(-1)).toBe('the sources changed while synthesizing: this template is not cached');
    expect(readdirSync(dir)).toEqual([]);
    expect(await cachedTemplate(options())).toEqual(template('b'));
    expect(state.syntheses).toBe(2);
    expect(readdirSync(dir)).toEqual(['template-b.json']);
  });
});
