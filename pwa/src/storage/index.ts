/**
 * The app's data on the phone: `Store` and what the rest of the app needs with it. Only db/
 * touches IndexedDB; storage/, outbox/, feed/ and purge/ keep what they keep through it.
 */

export { Store, type Counts } from "./store";
export { photoFingerprint } from "./photos";
export { META, type MetaKey } from "../db/meta";
export { DB_NAME } from "../db/schema";
export { deleteAllDatabases, deleteDatabase } from "../db/database";
export {
  claim,
  databaseForNewOfficer,
  databaseOf,
  latestDatabase,
  officerDatabases,
  othersHoldingData,
  othersWaiting,
  type OfficerDatabase,
  type OthersWaiting,
} from "./officers";
export { identityVault, lockedVault, AesGcmVault, LockedError, VaultError, type Vault, type Sealed } from "../db/vault";
export { DEFAULT_PURGE_GRACE_MS, type VisitStub } from "../purge/rules";
