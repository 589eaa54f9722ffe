// The public surface of the pacerpro-auth package.
export { buildApp, resolveJwtSecret, type AppDeps } from './app.js';
export { loadConfig, ConfigError, SETTINGS, type Config } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { openStore } from './store/open-store.js';
export type { User, UserStore, NewUser } from './store/user-store.js';
export { createTokenService, type TokenService, type TokenClaims } from './auth/tokens.js';
export { createPasswordHasher, OWASP_ARGON2ID, type PasswordHasher } from './auth/passwords.js';
export { createSessionService, type SessionService } from './auth/sessions.js';
export { AuthError, InvalidCredentialsError, LoginThrottledError, TokenRefusedError, type TokenRefusal } from './auth/auth-errors.js';
export { ERRORS, ApiProblem, errorBody, type ErrorBody, type ErrorCode } from './errors.js';
export { pacerproAuth, type PacerproAuthOptions, type PacerproUser } from './plugin.js';
