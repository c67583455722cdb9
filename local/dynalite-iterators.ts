import { createRequire } from 'node:module';

interface LevelIterator {
  close(): Promise<void>;
  return?: () => Promise<void>;
}

/** The prototype shared by the LevelDB iterators dynalite opens, found along its own dependencies. */
export function levelIteratorPrototype(): LevelIterator {
  let require = createRequire(import.meta.url);
  for (const id of ['dynalite', 'level', 'classic-level']) require = createRequire(require.resolve(id));
  const { AbstractIterator } = require('abstract-level') as { AbstractIterator: { prototype: object } };
  return Object.getPrototypeOf(AbstractIterator.prototype) as LevelIterator;
}

/**
 * dynalite 4 ends the streams behind Query and Scan by calling `return()` on its LevelDB
 * iterators, but abstract-level 3 iterators only have `close()`: every Query and Scan then left a
 * native iterator open, pinning old LevelDB memtables, and the local system's memory grew without
 * bound under load. Giving the iterators the `return()` dynalite expects closes them.
 */
export function closeDynaliteIterators(): void {
  const iterator = levelIteratorPrototype();
  if (typeof iterator.close !== 'function' || 'return' in iterator) return;
  Object.defineProperty(iterator, 'return', {
    configurable: true,
    value(this: LevelIterator) {
      return this.close();
    },
  });
}
