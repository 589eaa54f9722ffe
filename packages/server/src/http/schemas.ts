import { MAX_EMAIL_LENGTH } from '../auth/email.js';
import { MAX_PASSWORD_BYTES } from '../auth/password-length.js';

// JSON schemas of the wire models (docs/contract.md). They drive response serialization now and the
// OpenAPI document later, so the two cannot drift apart.

export const UserSchema = {
  $id: 'User',
  type: 'object',
  properties: {
    email: { type: 'string', format: 'email', maxLength: MAX_EMAIL_LENGTH, description: 'The e-mail address that identifies the user.' },
    password: { type: 'string', description: `At most ${MAX_PASSWORD_BYTES} bytes.` },
  },
  required: ['email', 'password'],
} as const;

export const SessionSchema = {
  $id: 'Session',
  type: 'object',
  properties: {
    jwtToken: { type: 'string', description: 'The JWT to send as "Authorization: Bearer <jwtToken>".' },
    expiresAt: { type: 'string', format: 'date-time', description: 'When the token expires (ISO 8601, UTC).' },
  },
  required: ['jwtToken', 'expiresAt'],
  additionalProperties: false,
} as const;

export const EmptySchema = {
  $id: 'Empty',
  type: 'object',
  properties: {},
  additionalProperties: false,
} as const;

export const ErrorSchema = {
  $id: 'Error',
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    status: { type: 'integer' },
    type: { type: 'string', enum: ['error', 'alert', 'notice', 'warning'] },
    code: { type: 'string', description: 'A stable machine-readable error code, e.g. invalid_credentials.' },
  },
  required: ['error', 'message', 'status', 'type'],
} as const;

export const HealthSchema = {
  $id: 'Health',
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] } },
  required: ['status'],
  additionalProperties: false,
} as const;

export const ReadinessSchema = {
  $id: 'Readiness',
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready'] },
    database: { type: 'string', enum: ['sqlite', 'postgres'], description: 'The kind of database the server uses.' },
  },
  required: ['status', 'database'],
  additionalProperties: false,
} as const;
