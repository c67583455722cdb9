/**
 * File names and types made safe (SPEC §7): a name never escapes its key or carries control
 * characters, and a file is never served as something a browser would run or render.
 */
const MAX_NAME = 120;

export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const ascii = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off the letters they decorate
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._]+/, '')
    .replace(/_+/g, '_');
  if (!ascii || ascii === '.') return 'file';
  if (ascii.length <= MAX_NAME) return ascii;
  const dot = ascii.lastIndexOf('.');
  const ext = dot > 0 && ascii.length - dot <= 16 ? ascii.slice(dot) : '';
  return ascii.slice(0, MAX_NAME - ext.length) + ext;
}

/** Types served as themselves; anything else is served as application/octet-stream. */
const SAFE_TYPES = new Set([
  'text/plain',
  'text/csv',
  'application/json',
  'application/zip',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
  'application/x-7z-compressed',
  'application/x-bzip2',
  'application/x-xz',
  'application/pdf',
  'image/png',
  'image/jpeg',
]);

export function safeContentType(type: unknown): string {
  // Parsed from hostile MIME: a repeated or broken header may not even be a string.
  const bare = typeof type === 'string' ? (type.split(';')[0]?.trim().toLowerCase() ?? '') : '';
  return SAFE_TYPES.has(bare) ? bare : 'application/octet-stream';
}
