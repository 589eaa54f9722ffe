// The public surface of the pacerpro-auth package.
export { buildApp, type AppDeps } from './app.js';
export { resolveJwtKeys, type JwtKeys } from './auth/jwt-secret.js';
export type { Keyring, SecretLabel } from './auth/keyring.js';
export { loadConfig, ConfigError, SETTINGS, type Config } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { openStore } from './store/open-store.js';
// UserStore is the name the whole store had before it was split into parts; it stays for existing callers.
export type { Store, Store as UserStore } from './store/store.js';
export type { User, NewUser, ImportedUser, UserRepository } from './store/users.js';
export type { LoginFailureStore } from './store/login-failures.js';
export type { AuditEvent, AuditEventType, AuditQuery, AuditStore } from './store/audit.js';
export type { SettingsStore } from './store/settings.js';
export { createTokenService, type TokenService, type TokenClaims } from './auth/tokens.js';
export { createPasswordHasher, OWASP_ARGON2ID, type PasswordHasher } from './auth/passwords.js';
export { createSessionService, type SessionService } from './auth/sessions.js';
export { createJtiMatcher, type JtiMatcher } from './auth/jti-matcher.js';
export { createAuthenticator, type Authenticate } from './auth/authenticate.js';
export { AuthError, InvalidCredentialsError, LoginThrottledError, TokenRefusedError, type TokenRefusal } from './auth/auth-errors.js';
export { ERRORS, ApiProblem, errorBody, type ErrorBody, type ErrorCode } from './errors.js';
export { pacerproAuth, type PacerproAuthOptions, type PacerproUser } from './plugin.js';
