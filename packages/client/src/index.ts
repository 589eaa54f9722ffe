export { ApiError, isApiError, type ApiErrorInit } from './api-error.js';
export { AuthenticationApi, type ApiResponse, type SessionPostOptions } from './authentication-api.js';
export { BroadcastSessionStore, type BroadcastSessionStoreOptions } from './broadcast-session-store.js';
export {
  Configuration,
  DEFAULT_BASE_PATH,
  DEFAULT_USER_AGENT,
  type ApiKey,
  type ConfigurationParameters,
  type FetchFunction,
} from './configuration.js';
export { DEVICE_HEADER, deviceCredentialFrom, type DeviceAccount } from './device-credential.js';
export { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.js';
export { parseDateTime, type Empty, type ErrorBody, type Session, type User } from './models.js';
export { NotAuthenticatedError } from './not-authenticated-error.js';
export { RequiredError } from './required-error.js';
export { isConnectionRefused, parseRetryAfter, type RetryOptions, type RetryPolicy } from './retry.js';
export {
  SessionManager,
  type LogoutOptions,
  type SessionChange,
  type SessionChangeReason,
  type SessionListener,
  type SessionManagerOptions,
  type SessionSnapshot,
  type SessionSubscriber,
} from './session-manager.js';
export {
  MemoryTokenStore,
  type SessionEnd,
  type StoreChange,
  type StoredSession,
  type StoreListener,
  type TokenStore,
} from './token-store.js';
export { VERSION } from './version.js';
