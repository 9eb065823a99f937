import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where delivery files live. The built-in store is a local folder; an object store can
 * implement the same four calls.
 */
export interface DeliveryStore {
  /** Stores bytes, or a file's content (copied, never read into memory); answers the bytes stored. */
  put(key: string, data: Buffer | { path: string }): Promise<number>;
  size(key: string): Promise<number>;
  /** Removes a file; a file already gone is fine. */
  remove(key: string): Promise<void>;
  /** Streams the bytes (inclusive range), never the whole file in memory. */
  read(key: string, range?: { start: number; end: number }): Readable;
}

export function localDeliveryStore(root: string): DeliveryStore {
  const file = (key: string) => {
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(key) || key.includes('..')) throw new Error(`bad storage key ${key}`);
    return path.join(root, key);
  };
  return {
    async put(key, data) {
      const target = file(key);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      // Written aside and renamed, so a reader never sees half a file.
      if (Buffer.isBuffer(data)) await fs.promises.writeFile(`${target}.part`, data);
      else await fs.promises.copyFile(data.path, `${target}.part`);
      await fs.promises.rename(`${target}.part`, target);
      return Buffer.isBuffer(data) ? data.length : (await fs.promises.stat(target)).size;
    },
    async size(key) {
      return (await fs.promises.stat(file(key))).size;
    },
    async remove(key) {
      await fs.promises.rm(file(key), { force: true });
    },
    read(key, range) {
      return fs.createReadStream(file(key), range);
    },
  };
}
