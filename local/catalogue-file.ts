import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { type CatalogueFile, CatalogueFileSchema } from '#shared/catalogue/provisioning.ts';

/** A catalogue file refused: where (line, field) and why. Nothing of it is applied. */
export class CatalogueFileError extends Error {
  readonly line: number;
  readonly field: string;
  constructor(source: string, line: number, field: string, message: string) {
    super(`${source}:${line}: ${field}: ${message}`);
    this.line = line;
    this.field = field;
  }
}

/**
 * The line of a path in a YAML (or JSON) document: the deepest node of the path that exists, so
 * a missing field points at the entry it is missing from.
 */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: (string | number)[],
): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number] } | null)?.range?.[0] ?? 0;
  for (const key of path) {
    if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      next = pair.value;
    } else {
      next = items[Number(key)];
      if (!next) break;
      offset = (next as { range?: [number] }).range?.[0] ?? offset;
    }
    node = next;
  }
  return lines.linePos(offset).line;
}

/** Parses and validates a catalogue file's text: the catalogue, or the first problem with its line and field. */
export function parseCatalogueText(text: string, source: string): CatalogueFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const [syntax] = doc.errors;
  if (syntax) {
    const at = syntax.linePos?.[0]?.line ?? lines.linePos(syntax.pos[0]).line;
    throw new CatalogueFileError(source, at, '(file)', syntax.message.split('\n')[0] ?? 'not YAML or JSON');
  }
  const parsed = CatalogueFileSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []) as (string | number)[];
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = [...path, ...(unknownKey ? [unknownKey] : [])];
  throw new CatalogueFileError(
    source,
    lineOf(doc, lines, field),
    field.join('.') || '(root)',
    unknownKey ? 'unknown field' : (issue?.message ?? 'invalid'),
  );
}

export const readCatalogueFile = (file: string) => parseCatalogueText(readFileSync(file, 'utf8'), file);
