import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const NODE = path.resolve('node_modules/node/bin/node');

describe('the experimental-SQLite warning (Node 22) is dropped, and only it', () => {
  it('a process that drops it loads node:sqlite silently and still prints every other warning', async () => {
    const script = `
      const { dropSqliteWarning } = await import(${JSON.stringify(path.resolve('local/sqlite-warning.ts'))});
      dropSqliteWarning();
      await import('node:sqlite');
      process.emitWarning('the disk is nearly full', 'ExperimentalWarning');
      process.emitWarning('an old API', 'DeprecationWarning');`;
    const stderr = await new Promise<string>((resolve, reject) =>
      execFile(NODE, ['--input-type=module', '-e', script], (error, _stdout, stderr) =>
        error ? reject(error) : resolve(stderr),
      ),
    );
    expect(stderr).not.toContain('SQLite');
    expect(stderr).toContain('ExperimentalWarning: the disk is nearly full');
    expect(stderr).toContain('DeprecationWarning: an old API');
  });
});
