#!/usr/bin/env node
// The `casework` command. It needs a Node that strips TypeScript types (22.18 and later): started by
// an older one (e.g. from outside the project, where npx does not put the project's Node first on the
// PATH), it runs itself again on the project's own Node 22.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.features.typescript) {
  await import('../local/cli.ts');
} else {
  const projectNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  const run = spawnSync(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (run.error) {
    console.error(
      `casework: needs Node 22.18 or later (run npm ci in the project folder): ${run.error.message}`,
    );
    process.exitCode = 1;
  } else process.exitCode = run.status ?? 1;
}
