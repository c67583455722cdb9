import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { functions } from '#functions/registry.ts';

/**
 * Each function's bundle as the CDK stack builds it (esbuild, minified, ESM, node22, the AWS SDK
 * left to the Lambda runtime as NodejsFunction does on nodejs22.x): smaller bundles start faster.
 */
export async function bundleSizes(): Promise<string> {
  const rows: string[] = [];
  for (const [name, spec] of Object.entries(functions)) {
    const result = await build({
      entryPoints: [spec.entry],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      external: ['@aws-sdk/*'],
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    const code = result.outputFiles[0]?.contents ?? new Uint8Array();
    const inputs = Object.entries(result.metafile.inputs)
      .map(
        ([path, input]) =>
          [path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? 'casework', input.bytes] as const,
      )
      .reduce((acc, [pkg, bytes]) => acc.set(pkg, (acc.get(pkg) ?? 0) + bytes), new Map<string, number>());
    const biggest = [...inputs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([pkg]) => pkg)
      .join(', ');
    rows.push(
      `| ${name} | ${(code.length / 1024).toFixed(0)} KiB | ${(gzipSync(code).length / 1024).toFixed(0)} KiB | ${biggest} |`,
    );
  }
  return `| function | bundle (minified) | gzipped | largest inputs |
|---|---|---|---|
${rows.join('\n')}`;
}
