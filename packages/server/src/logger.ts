import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

// Structured JSON logs. Credentials must never reach them: Fastify's request serializer logs no
// headers at all, and these paths are censored wherever an object carrying them is logged anyway.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers.authorization',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'password',
  'jwtToken',
  'token',
  'secret',
  'jwtSecret',
  '*.password',
  '*.jwtToken',
  '*.token',
  '*.secret',
  '*.jwtSecret',
  'body.user.password',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
