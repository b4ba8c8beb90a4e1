/** How much room the browser gives the app, and whether it keeps the data (persisted storage). */

export interface StorageHealth {
  persisted: boolean | null;
  usage: number | null;
  quota: number | null;
  low: boolean;
}

export const UNKNOWN_STORAGE: StorageHealth = { persisted: null, usage: null, quota: null, low: false };

const LOW_FREE_BYTES = 200 * 1024 * 1024;

/** Ask the browser (null where it cannot say: no StorageManager, or estimate() fails in private modes). */
export async function measureStorage(): Promise<StorageHealth | null> {
  const s = typeof navigator !== "undefined" ? navigator.storage : undefined;
  if (!s?.estimate) return null;
  try {
    const [persisted, estimate] = await Promise.all([s.persisted ? s.persisted() : Promise.resolve(null), s.estimate()]);
    const usage = estimate.usage ?? null;
    const quota = estimate.quota ?? null;
    const low = usage !== null && quota !== null && (quota - usage < LOW_FREE_BYTES || usage / quota > 0.9);
    return { persisted, usage, quota, low };
  } catch {
    return null;
  }
}
