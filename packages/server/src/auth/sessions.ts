import type { StoredDeviceCredential } from '../store/known-clients.js';
import type { Store } from '../store/store.js';
import type { User } from '../store/users.js';
import { InvalidCredentialsError, LoginThrottledError } from './auth-errors.js';
import { sessionTooOld } from './authenticate.js';
import { newDeviceCredential, presentedDeviceCredential } from './device-credential.js';
import { emailKey } from './email.js';
import type { JtiMatcher } from './jti-matcher.js';
import {
  DEVICE_CREDENTIALS_PER_ACCOUNT,
  deviceLane,
  KNOWN_ADDRESS_DAYS,
  KNOWN_ADDRESSES_PER_ACCOUNT,
  knownAddressLane,
  type LoginLane,
  type LoginLaneKind,
  unknownLane,
} from './login-lane.js';
import { retryAfterSeconds, type ThrottlePolicy } from './login-throttle.js';
import type { PasswordHasher } from './passwords.js';
import type { IssuedToken, TokenService } from './tokens.js';
import { isLockedAt } from './user-lock.js';

// Login, refresh and logout as plain functions over a store: no HTTP in here. Refresh and logout
// act on a user the authenticator (authenticate.ts) has already let through.

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** What a login knows of the client besides its credentials: what puts it in a lane (login-lane.ts). */
export interface LoginClient {
  /** The client's address as keyed (http/address-key.ts: IPv6 by /64). */
  readonly address?: string | undefined;
  /** The PacerPro-Device header as sent; anything that is not a credential this account issued is ignored. */
  readonly deviceCredential?: string | undefined;
}

/** A token and whose it is (for the audit trail; never sent on the wire). */
export interface UserToken extends IssuedToken {
  readonly userId: number;
}

export interface LoginResult extends UserToken {
  readonly lane: LoginLaneKind;
  /** The device credential the client keeps and sends on its next logins: the one it sent, or a new one. */
  readonly deviceCredential: string;
}

export interface SessionService {
  /** Throws InvalidCredentialsError, or LoginThrottledError with the seconds to wait. */
  login(credentials: Credentials, client?: LoginClient): Promise<LoginResult>;
  /** A new token for the same user and the same jti, with a later expiry. */
  refresh(user: User): UserToken;
  /** Spins a new jti: every token of the user, on every node, is refused from now on. */
  logout(user: User): Promise<void>;
  /** Whether the value is a device credential that some account issued and that has not expired. */
  isKnownDevice(deviceCredential: string | undefined): Promise<boolean>;
}

export interface SessionDeps {
  readonly store: Pick<Store, 'users' | 'loginFailures' | 'knownClients'>;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly jtis: JtiMatcher;
  /** How long one jti may live: a login past it spins a fresh one (authenticate.ts refuses its tokens). */
  readonly sessionMaxAgeSeconds: number;
  /** Password checks charged to one lane before it is throttled. */
  readonly loginMaxFailures: number;
  /** How long a device credential stays valid without a successful login that presents it. */
  readonly deviceCredentialTtlSeconds: number;
  readonly now?: () => number;
}

export function createSessionService({
  store,
  passwords,
  tokens,
  jtis,
  sessionMaxAgeSeconds,
  loginMaxFailures,
  deviceCredentialTtlSeconds,
  now = Date.now,
}: SessionDeps): SessionService {
  const policy: ThrottlePolicy = { maxFailures: loginMaxFailures };
  const tooOld = (user: User) => sessionTooOld(user, sessionMaxAgeSeconds, now());
  const daysAgo = (days: number) => new Date(now() - days * 86_400_000);
  const fresh = (device: StoredDeviceCredential) => device.lastUsedAt.getTime() > now() - deviceCredentialTtlSeconds * 1000;

  const issue = (id: number, jti: string): UserToken => {
    const { token, expiresAt } = tokens.issue({ id, jti });
    return { token, expiresAt, userId: id };
  };

  /**
   * The lane of this attempt. The same look-ups run whether or not the e-mail has an account, so
   * their time tells nothing; a credential or an address of another account counts as unknown.
   */
  async function laneOf(key: string, client: LoginClient): Promise<{ user: User | undefined; lane: LoginLane; deviceId?: string }> {
    const presented = presentedDeviceCredential(client.deviceCredential);
    const [user, device] = await Promise.all([
      store.users.findUserByEmail(key),
      presented ? store.knownClients.findDeviceCredential(presented.id) : undefined,
    ]);
    if (user && presented && device && fresh(device) && device.userId === user.id) {
      return { user, lane: deviceLane(user.id, presented.id), deviceId: presented.id };
    }
    const known =
      client.address !== undefined && (await store.knownClients.isKnownAddress(user?.id ?? 0, client.address, daysAgo(KNOWN_ADDRESS_DAYS)));
    return { user, lane: user && known ? knownAddressLane(user.id, client.address!) : unknownLane(key) };
  }

  return {
    async login({ email, password }, client = {}) {
      const key = emailKey(email);
      const { user, lane, deviceId } = await laneOf(key, client);
      // The check is charged before it runs: refused while the lane is blocked, before any password
      // work; and when the charge cannot be written, the error (503) means no check runs, so an
      // outage never turns the throttle off.
      const charge = await store.loginFailures.chargeAttempt(lane.key, policy);
      if (!charge.charged) throw new LoginThrottledError(retryAfterSeconds(charge.blockedUntil, now()) ?? 1, lane.kind);

      if (!user) {
        // Same work as a wrong password, so timing does not reveal which e-mails have accounts.
        await passwords.verifyDummy(password);
        throw new InvalidCredentialsError(lane.kind);
      }
      const matches = await passwords.verify(user.passwordHash, password);
      // A locked account answers exactly like a wrong password, after the same work.
      if (!matches || isLockedAt(user.lock, now())) throw new InvalidCredentialsError(lane.kind);

      await store.loginFailures.clearLoginFailures([lane.key]);
      const deviceCredential = await keepKnown(user, client, deviceId);
      if (passwords.needsRehash(user.passwordHash)) {
        await store.users.updatePasswordHash(user.id, await passwords.hash(password));
      }
      const token = tooOld(user) ? issue(user.id, await jtis.spin(user.id)) : issue(user.id, user.jti);
      return { ...token, lane: lane.kind, deviceCredential };
    },
    refresh: (user) => issue(user.id, user.jti),
    async logout(user) {
      await jtis.spin(user.id);
    },
    async isKnownDevice(deviceCredential) {
      const presented = presentedDeviceCredential(deviceCredential);
      const device = presented && (await store.knownClients.findDeviceCredential(presented.id));
      return device !== undefined && fresh(device);
    },
  };

  /** After a success: the address becomes known, and the client keeps (or gets) its device credential. */
  async function keepKnown(user: User, client: LoginClient, deviceId: string | undefined): Promise<string> {
    if (client.address !== undefined) await store.knownClients.rememberAddress(user.id, client.address, KNOWN_ADDRESSES_PER_ACCOUNT);
    if (deviceId !== undefined) {
      await store.knownClients.touchDeviceCredential(deviceId);
      return client.deviceCredential!;
    }
    const fresh = newDeviceCredential();
    await store.knownClients.addDeviceCredential(fresh.id, user.id, DEVICE_CREDENTIALS_PER_ACCOUNT);
    return fresh.credential;
  }
}
