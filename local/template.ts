import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
/** What the template is made from: a change to any of these means synthesizing again. */
const SOURCES = [
  'infra',
  'functions',
  'statemachines',
  'shared',
  'local/static-sites.ts',
  'package-lock.json',
];
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'casework');
/** A synthesis left behind by a process that died is taken over after this long. */
const STALE_LOCK_MS = 5 * 60_000;

export type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

function files(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [entry];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(ROOT, path.join(d.parentPath, d.name)))
    .sort();
}

/** The hash of every source file of the template (names and contents). */
export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap(files))
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(ROOT, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Synthesizes the stack in this process, without bundling the functions (the template is what is read). */
async function synthesize(progress: (line: string) => void): Promise<Template> {
  progress('  loading the CDK app…');
  const { App } = await import('aws-cdk-lib');
  const { buildApp } = await import('../infra/casework-app.ts');
  const outdir = mkdtempSync(path.join(tmpdir(), 'casework-synth-'));
  try {
    progress('  building the stack…');
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const { stack } = buildApp(app);
    progress('  synthesizing the template (with the cdk-nag checks)…');
    return app.synth().getStackByName(stack.stackName).template as Template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where and how a template is made and kept: `stackTemplate`'s parts, apart for tests. */
export interface TemplateCache {
  /** The folder holding the cached template. */
  dir: string;
  /** The hash of the sources, read now. */
  hash: () => string;
  synthesize: (progress: (line: string) => void) => Promise<Template>;
  progress?: (line: string) => void;
}

/**
 * The stack's CloudFormation template, synthesized once per change of its sources and cached by
 * their hash: the first start after a change synthesizes (reporting progress through `progress`),
 * later ones read the cache. Processes starting together synthesize once: one holds a lock, the
 * others wait for its result.
 */
export const stackTemplate = (progress: (line: string) => void = () => {}) =>
  cachedTemplate({ dir: CACHE, hash: sourceHash, synthesize, progress });

/** The template kept in `dir` under the sources' hash, else synthesized once and kept there. */
export async function cachedTemplate({
  dir,
  hash,
  synthesize,
  progress = () => {},
}: TemplateCache): Promise<Template> {
  const before = hash();
  const file = path.join(dir, `template-${before}.json`);
  const lock = `${file}.lock`;
  mkdirSync(dir, { recursive: true });
  for (;;) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Template;
    try {
      openSync(lock, 'wx');
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS)
        rmSync(lock, { force: true });
      await pause(200);
    }
  }
  try {
    progress('synthesizing the stack (its sources changed since the last start)…');
    const started = performance.now();
    const template = await synthesize(progress);
    // Sources edited while it ran: this template may be of either version, so it is not kept
    // under either hash (the next start synthesizes again).
    if (hash() !== before) {
      progress('the sources changed while synthesizing: this template is not cached');
      return template;
    }
    for (const old of readdirSync(dir).filter((f) => f.startsWith('template-') && f.endsWith('.json')))
      rmSync(path.join(dir, old), { force: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(template));
    renameSync(`${file}.tmp`, file);
    progress(
      `synthesized in ${Math.round((performance.now() - started) / 1000)} s (cached until the next change)`,
    );
    return template;
  } finally {
    rmSync(lock, { force: true });
  }
}
