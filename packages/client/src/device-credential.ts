// The device credential a PacerPro server hands out with a successful login (the PacerPro-Device
// response header) and wants back on later logins of the same account (the same request header):
// with it, strangers' failed logins never throttle this client. It is opaque here; a value that no
// header could carry, or an oversized one, is not kept.

export const DEVICE_HEADER = 'PacerPro-Device';

/** Whose credential it is: the server that issued it and the account it was issued to. */
export interface DeviceAccount {
  readonly basePath: string;
  readonly email: string;
}

const CREDENTIAL = /^[\x21-\x7e]{1,256}$/;

/** Whether a value can be a credential: printable ASCII without spaces, at most 256 characters. */
export const isDeviceCredential = (value: string): boolean => CREDENTIAL.test(value);

/** The credential an answer carries, if it carries a usable one. */
export function deviceCredentialFrom(headers: Headers): string | undefined {
  const value = headers.get(DEVICE_HEADER)?.trim();
  return value && isDeviceCredential(value) ? value : undefined;
}

/** One key per server and account; e-mails compare as the server compares them (trimmed, any case). */
export function deviceKey({ basePath, email }: DeviceAccount): string {
  return `${basePath} ${email.trim().toLowerCase()}`;
}

/** At most this many accounts' credentials are kept by one store (the least recently set go first). */
export const MAX_DEVICE_CREDENTIALS = 20;

/** Sets `key` as the newest entry of `entries`, dropping the oldest beyond the bound. */
export function withDeviceCredential(entries: Readonly<Record<string, string>>, key: string, credential: string): Record<string, string> {
  const rest = Object.entries(entries).filter(([k]) => k !== key);
  return Object.fromEntries([...rest, [key, credential]].slice(-MAX_DEVICE_CREDENTIALS));
}

/** `entries` without `key`'s credential (a logout that forgets the device). */
export function withoutDeviceCredential(entries: Readonly<Record<string, string>>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter(([k]) => k !== key));
}
