import type { ErrorCode } from './error-codes.js';

/** The credentials posted to log in. */
export interface User {
  email: string;
  password: string;
}

/** A JWT and the moment it stops being accepted. */
export interface Session {
  jwtToken: string;
  expiresAt: Date;
}

/** The body of every PacerPro error response. */
export interface ErrorBody {
  error: string;
  message: string;
  status: number;
  type: 'error' | 'alert' | 'notice' | 'warning' | (string & {});
  /**
   * The server's stable error code, when it sends one. Kept as sent: a newer server may send a code
   * this client does not list yet. To branch on it, read ApiError#errorCode, which is typed.
   */
  code?: ErrorCode | (string & {});
}

/** The body of DELETE /session: `{}`. */
export type Empty = Record<string, never>;

// ISO 8601 date-time with a zone, as the contract promises; Date.parse alone would also take
// "2026-11-28" or "Nov 28 2026" and read zoneless times in the local zone.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Parses an ISO 8601 date-time with a zone; undefined when it is not one, or names a day or time that does not exist. */
export function parseDateTime(value: unknown): Date | undefined {
  const fields = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (!fields) return undefined;
  const date = new Date(value as string);
  if (Number.isNaN(date.getTime())) return undefined;
  // Date rolls "02-31" over into March and "T24:30" into the next day; the fields must stand as written.
  const [year, month, day, hour, minute] = fields.slice(1, 6).map(Number) as [number, number, number, number, number];
  const second = Number(fields[6] ?? 0);
  const asWritten = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const exists =
    asWritten.getUTCMonth() === month - 1 &&
    asWritten.getUTCDate() === day &&
    asWritten.getUTCHours() === hour &&
    asWritten.getUTCMinutes() === minute &&
    asWritten.getUTCSeconds() === second;
  return exists ? date : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// RFC 6750's b64token, which a JWT is: what can follow "Bearer " in a header.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Reads a Session from parsed JSON (camelCase keys only, like the generated clients); undefined when it is not one. */
export function parseSession(json: unknown): Session | undefined {
  if (!isObject(json) || typeof json.jwtToken !== 'string' || !BEARER_TOKEN.test(json.jwtToken)) return undefined;
  const expiresAt = parseDateTime(json.expiresAt);
  return expiresAt && { jwtToken: json.jwtToken, expiresAt };
}

/** Reads the Empty model: any JSON object (an empty body or `null` is not one). */
export function parseEmpty(json: unknown): Empty | undefined {
  return isObject(json) ? {} : undefined;
}

/** Reads a PacerPro Error body; undefined when the JSON is something else. */
export function parseErrorBody(json: unknown): ErrorBody | undefined {
  if (!isObject(json)) return undefined;
  const { error, message, status, type, code } = json;
  if (typeof error !== 'string' || typeof message !== 'string' || typeof status !== 'number' || typeof type !== 'string') {
    return undefined;
  }
  return typeof code === 'string' ? { error, message, status, type, code } : { error, message, status, type };
}
