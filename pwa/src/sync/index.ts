/**
 * Doorstep sync engine for the PWA: a TypeScript port of the pure Python
 * library in ../../../sync (contract: sync/PROTOCOL.md). Parity is proven by
 * running the shared vectors (sync/vectors/*.json) in test/sync/vectors.test.ts.
 *
 * Function names are camelCase; data shapes (RecordState, Outcome, Mutation,
 * BatchPlan, ...) keep the wire's snake_case keys so they can be stored and
 * sent as they are. Rule violations throw SyncError; misuse that Python
 * reports with ValueError (a new_rev that does not increase, a negative
 * counter) throws RangeError.
 */

export {
  CanonicalError,
  MAX_NESTING,
  MAX_SAFE_INTEGER,
  canonicalJson,
  compareCodePoints,
  formatNumber,
  getOwn,
  hasOwn,
  isPlainObject,
  jsonEqual,
  normaliseJson,
  setOwn,
  sortedByCodePoint,
  type JSONObject,
  type JSONValue,
} from "./canonical";
export {
  CURSOR_FORMAT,
  MAX_CURSOR_LENGTH,
  base64UrlEncode,
  decodeCursor,
  encodeCursor,
  parseCursor,
  type Cursor,
} from "./cursor";
export { canonicalDigest, digestView, mutationDigest, mutationDigestOf, sha256Hex } from "./digest";
export { HTTP_STATUS, SyncError, httpStatus, type SyncErrorJSON } from "./errors";
export {
  DEFAULT_PULL_LIMIT,
  MAX_FIELDS_PER_MUTATION,
  MAX_MUTATIONS_PER_PUSH,
  MAX_PULL_BODY_BYTES,
  MAX_PUSH_BODY_BYTES,
  PULL_LIMIT_MAX,
  PULL_LIMIT_MIN,
  PULL_PAGE_SOFT_BYTES,
  checkBodySize,
  checkPullLimit,
  checkPushLimits,
} from "./limits";
export {
  MergeStatus,
  applyMutation,
  conflictFromJson,
  mergeDelete,
  mergePut,
  recordStateFromJson,
  resolveConflict,
  type Conflict,
  type Outcome,
  type RecordChange,
  type RecordState,
} from "./merge";
export {
  COLLECTIONS,
  DIGEST_KEYS,
  DIRECTIVES,
  MAX_SEQ,
  OPS,
  RESOLVE_KEY,
  mutationToWire,
  parseAt,
  parseMutation,
  parseSeq,
  parseUuid,
  type Collection,
  type Mutation,
  type Op,
  type WireMutation,
} from "./mutations";
export {
  MAX_PATH_DEPTH,
  MAX_PATH_LENGTH,
  checkNoCollision,
  findPrefixCollision,
  flatten,
  pyRepr,
  unflatten,
  validatePath,
} from "./paths";
export { parsePull, parsePush, type PullRequest, type PushEntry, type PushRequest } from "./push";
export {
  ReplayVerdict,
  SeqClass,
  checkBatch,
  checkReplay,
  classifySeq,
  replayVerdict,
  type BatchPlan,
  type SeqVerdict,
} from "./sequence";
export {
  INITIAL_STATUS,
  REVIEW_NOTE_PATH,
  Role,
  STATUS_PATH,
  VisitStatus,
  checkTransition,
  checkVisitPut,
  currentStatus,
  officerMayEdit,
} from "./status";
