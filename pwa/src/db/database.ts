/**
 * The one handle on IndexedDB: opening (and creating) the database, the write lock, and
 * all-or-nothing transactions. What is kept, and how, is in the modules built on it (storage/,
 * outbox/, feed/, purge/); they reach IndexedDB only through a `Database`.
 *
 * Sealing is async (Web Crypto) and an IndexedDB transaction closes when it awaits anything
 * else, so each write reads in one transaction, opens/computes/seals outside it, and writes in
 * a second one. All writers hold one write lock (in this tab, and across tabs with the Web
 * Locks API), so nothing can slip in between the read and the write.
 */

import { openDB, type IDBPDatabase, type IDBPTransaction } from "idb";

import { META } from "./meta";
import { DB_NAME, DB_VERSION, isOfficerDb, upgrade, type StoreName } from "./schema";
import { identityVault, lockedVault, type Vault } from "./vault";

const WRITE_LOCK = "doorstep-write";

export type WriteTx = IDBPTransaction<unknown, string[], "readwrite">;

/** A tiny async mutex for this tab. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

interface LockManagerLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>;
}
function webLocks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

export class Database {
  private readonly mutex = new Mutex();

  private constructor(
    readonly idb: IDBPDatabase,
    readonly vault: Vault,
    readonly name: string,
  ) {}

  /**
   * Open (creating if need be) the database. Fail closed: without a vault (the service worker,
   * which never has the key) it opens locked, so nothing personal can land in clear, whether or
   * not the phone has a key yet; and a database that holds a data key (`vault` in meta) is never
   * written through the identity vault even when a test asks for it.
   */
  static async open(name = DB_NAME, vault: Vault = lockedVault): Promise<Database> {
    const idb = await openDB(name, DB_VERSION, {
      upgrade,
      blocking() {
        // Another tab (a new version of the app) wants to upgrade: let it.
        idb.close();
      },
    });
    const encrypted = (await idb.get("meta", META.vault)) !== undefined;
    return new Database(idb, encrypted && vault === identityVault ? lockedVault : vault, name);
  }

  close(): void {
    this.idb.close();
  }

  /** Run `fn` holding the write lock (this tab and, where supported, every tab). */
  write<T>(fn: () => Promise<T>): Promise<T> {
    const locks = webLocks();
    return this.mutex.run(() => (locks ? locks.request(WRITE_LOCK, fn) : fn()));
  }

  /**
   * One readwrite transaction, all or nothing: if `fn` throws (a value that cannot be stored, a
   * quota error), the transaction is aborted rather than left to auto-commit what came before.
   */
  async atomically(stores: StoreName[], fn: (tx: WriteTx) => Promise<void>): Promise<void> {
    const tx = this.idb.transaction(stores, "readwrite") as WriteTx;
    try {
      await fn(tx);
    } catch (exc) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      tx.done.catch(() => undefined);
      throw exc;
    }
    await tx.done;
  }

  /** Remove every database of this app from the device, every officer's (a revoked device). */
  async wipe(): Promise<void> {
    this.idb.close();
    await deleteAllDatabases(this.name);
  }

  /** Remove this database only (its officer's own "Sign out and wipe"); others stay. */
  async drop(): Promise<void> {
    this.idb.close();
    await deleteDatabase(this.name);
  }
}

/**
 * The officers' databases on this phone (`indexedDB.databases()`); where the browser cannot
 * list them, the first officer's, which is all a phone from before had.
 */
export async function listOfficerDbs(): Promise<string[]> {
  try {
    if (typeof indexedDB.databases === "function") {
      const names = (await indexedDB.databases()).map((d) => d.name ?? "").filter(isOfficerDb);
      return [...new Set(names)].sort();
    }
  } catch {
    // not supported
  }
  return [DB_NAME];
}

/**
 * Delete every IndexedDB database of this origin (`indexedDB.databases()` where the browser has
 * it, and `extra` in any case), so nothing of the app's is left.
 */
export async function deleteAllDatabases(...extra: string[]): Promise<void> {
  const names = new Set<string>([DB_NAME, ...extra]);
  try {
    const listed = typeof indexedDB.databases === "function" ? await indexedDB.databases() : [];
    for (const d of listed) if (d.name) names.add(d.name);
  } catch {
    // Not supported: the known names are deleted all the same.
  }
  for (const name of names) await deleteDatabase(name);
}

/** Delete an IndexedDB database, resolving even when another connection blocks for a while. */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => resolve();
  });
}
