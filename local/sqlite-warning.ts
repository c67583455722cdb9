/**
 * Node 22 warns, on loading `node:sqlite` (the S3 emulator's store), that SQLite is experimental:
 * the warning says nothing about casework, and a person starting it would take it for a fault. Only
 * that warning is dropped; every other one is printed as Node prints it. Call before `node:sqlite`
 * is loaded (it warns on a later tick of the loading).
 */
export function dropSqliteWarning(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'ExperimentalWarning' && warning.message.startsWith('SQLite ')) return;
    for (const print of printers) print(warning);
  });
}
