import { Counter, type Registry } from 'prom-client';
import { SECRET_LABELS, type SecretLabel } from '../auth/keyring.js';

// pacerpro_jwt_verifications_total: token signatures checked, by the secret that matched
// (auth/keyring.ts). The auth server counts it in its own registry (metrics.ts); pacerproAuth
// counts it in the app's registry when given one (plugin.ts), so whoever watches it before
// retiring a secret sees every process that verifies tokens (README, "Rotating the secret").

export function jwtVerificationsCounter(registry: Registry): Counter<'secret'> {
  return new Counter({
    name: 'pacerpro_jwt_verifications_total',
    help:
      'Token signatures checked, by the secret that matched: current, upcoming (rotated in, not signing for its first ' +
      'seconds), previous-1 (the newest previous) … previous-3, ' +
      'or none (a well-formed token no secret of this node signed: a forgery, or nodes that disagree on the secret).',
    labelNames: ['secret'],
    registers: [registry],
  });
}

/** Counts each signature check by the secret it matched, through children resolved once (the refresh path makes one). */
export function verificationCounter(counter: Counter<'secret'>): (secret: SecretLabel) => void {
  const children = new Map(SECRET_LABELS.map((label) => [label, counter.labels(label)]));
  for (const child of children.values()) child.inc(0); // listed from the start: a series that appears late is graphed badly
  return (secret) => children.get(secret)!.inc();
}
