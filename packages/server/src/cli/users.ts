import { createJtiMatcher, randomJti } from '../auth/jti-matcher.js';
import { passwordProblem, type PasswordPolicy } from '../auth/password-policy.js';
import type { PasswordHasher } from '../auth/passwords.js';
import { MAX_EMAIL_LENGTH, emailKey, isEmailAddress } from '../auth/email.js';
import { accountLaneKeys } from '../auth/login-lane.js';
import type { Store } from '../store/store.js';
import { DuplicateEmailError } from '../store/store-errors.js';
import { isLockedAt } from '../auth/user-lock.js';
import type { User } from '../store/users.js';
import { CliError } from './cli-error.js';

// The user-management operations behind `pacerpro-auth users …`, as functions over a store.

/** What the CLI shows of a user: never the hash, never the jti. */
export interface UserView {
  id: number;
  email: string;
  locked: boolean;
  /** A lock that ends by itself (imported from Devise's lockable): when it ends. */
  lockedUntil?: string;
  createdAt: string;
  updatedAt: string;
}

export const viewUser = (user: User, nowMs: number = Date.now()): UserView => ({
  id: user.id,
  email: user.email,
  locked: isLockedAt(user.lock, nowMs),
  ...(user.lock.kind === 'until' && isLockedAt(user.lock, nowMs) && { lockedUntil: user.lock.until.toISOString() }),
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
});

export function checkEmail(email: string): string {
  const trimmed = email.trim();
  if (!isEmailAddress(trimmed)) {
    throw new CliError(`"${email}" is not an e-mail address (expected name@example.com, at most ${MAX_EMAIL_LENGTH} characters)`, 2);
  }
  return trimmed;
}

async function existingUser(store: Pick<Store, 'users'>, email: string): Promise<User> {
  const user = await store.users.findUserByEmail(email);
  if (!user) throw new CliError(`no user with the e-mail ${email.trim()}`);
  return user;
}

async function checkPassword(password: string, email: string, policy: PasswordPolicy): Promise<void> {
  const problem = await passwordProblem(password, email, policy);
  if (problem) throw new CliError(problem);
}

export async function addUser(
  store: Pick<Store, 'users'>,
  hasher: PasswordHasher,
  policy: PasswordPolicy,
  email: string,
  password: string,
): Promise<UserView> {
  const address = checkEmail(email);
  await checkPassword(password, address, policy);
  try {
    return viewUser(await store.users.createUser({ email: address, passwordHash: await hasher.hash(password), jti: randomJti() }));
  } catch (error) {
    if (error instanceof DuplicateEmailError) throw new CliError(error.message);
    throw error;
  }
}

export async function listUsers(store: Pick<Store, 'users'>): Promise<UserView[]> {
  return (await store.users.listUsers()).map((user) => viewUser(user));
}

/**
 * A new password also spins the jti (tokens issued under the old password stop working) and
 * revokes the account's known clients: a device credential or an address an intruder may hold.
 */
export async function changePassword(
  store: Pick<Store, 'users' | 'knownClients'>,
  hasher: PasswordHasher,
  policy: PasswordPolicy,
  email: string,
  password: string,
): Promise<UserView> {
  const user = await existingUser(store, email);
  await checkPassword(password, user.email, policy);
  await store.users.changePassword(user.id, await hasher.hash(password), randomJti());
  await store.knownClients.forgetAccountClients(user.id);
  return viewUser((await store.users.findUserById(user.id)) ?? user);
}

/** Unlocking also forgets the failed logins of every lane of the account, lifting any throttle on it. */
export async function setLocked(
  store: Pick<Store, 'users' | 'loginFailures' | 'knownClients'>,
  email: string,
  locked: boolean,
): Promise<UserView> {
  const user = await existingUser(store, email);
  await store.users.setLocked(user.id, locked);
  if (!locked) {
    const clients = await store.knownClients.listAccountClients(user.id);
    await store.loginFailures.clearLoginFailures(accountLaneKeys(emailKey(user.email), user.id, clients));
  }
  return viewUser((await store.users.findUserById(user.id)) ?? user);
}

/** Revoking logs the user out everywhere and revokes its known clients, as a new password does. */
export async function revokeSessions(store: Pick<Store, 'users' | 'knownClients'>, email: string): Promise<UserView> {
  const user = await existingUser(store, email);
  await createJtiMatcher(store).spin(user.id);
  await store.knownClients.forgetAccountClients(user.id);
  return viewUser((await store.users.findUserById(user.id)) ?? user);
}

export async function deleteUser(store: Pick<Store, 'users'>, email: string): Promise<UserView> {
  const user = await existingUser(store, email);
  if (!(await store.users.deleteUser(user.id))) throw new CliError(`no user with the e-mail ${user.email}`);
  return viewUser(user);
}
