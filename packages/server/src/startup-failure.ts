import { dirname } from 'node:path';
import type { Config } from './config.js';
import { isPostgresUrl } from './store/postgres-url.js';
import { sqlitePath } from './store/sqlite.js';

// What an operator reads when start-up (or a CLI command) fails for a reason they caused: the setting
// or file to fix, and how. Pure over the error and the config, so that each case is tested by its
// words; undefined for a fault that is no operator's doing (then the caller says "unexpected").

interface SystemFault {
  readonly code?: unknown;
  readonly syscall?: unknown;
  readonly path?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/** The errors a cause chain holds, outermost first: the store wraps driver errors in its own. */
function chain(error: unknown): SystemFault[] {
  const faults: SystemFault[] = [];
  for (let e = error; typeof e === 'object' && e !== null && faults.length < 5; e = (e as SystemFault).cause) faults.push(e as SystemFault);
  return faults;
}

function listenFault(fault: SystemFault, config: Config): string | undefined {
  const isMetrics = config.metricsPort !== undefined && fault.port === config.metricsPort && config.metricsPort !== config.port;
  const [name, flag, port] = isMetrics ? ['PACERPRO_METRICS_PORT', '--metrics-port', config.metricsPort] : ['PORT', '--port', config.port];
  if (fault.code === 'EADDRINUSE') {
    return `${name} ${port}: ${config.host}:${port} is already in use by another process: stop that process, or choose another port with ${name} or ${flag}.`;
  }
  if (fault.code === 'EACCES') {
    return `${name} ${port}: this process may not listen on ports below 1024: choose a port from 1024 up with ${name} or ${flag}, or run with the right to bind it.`;
  }
  if (fault.code === 'ENOTFOUND' || fault.code === 'EAI_AGAIN' || fault.code === 'EADDRNOTAVAIL') {
    return `HOST ${config.host} is not an address of this machine (${String(fault.code)}): set HOST or --host to one of its addresses, such as 127.0.0.1, or 0.0.0.0 to listen on all.`;
  }
  return undefined;
}

// PostgreSQL's SQLSTATEs for a refused login: the URL names a role, password or database that the
// server does not have.
const POSTGRES_LOGIN_FAULTS: Readonly<Record<string, string>> = {
  '28000': 'create that role in PostgreSQL (CREATE ROLE … LOGIN), or put an existing user in DATABASE_URL',
  '28P01': 'correct the password in DATABASE_URL',
  '3D000': 'create that database (CREATE DATABASE …), or name an existing one in DATABASE_URL',
};

function postgresFault(fault: SystemFault): string | undefined {
  const fix = typeof fault.code === 'string' ? POSTGRES_LOGIN_FAULTS[fault.code] : undefined;
  if (fix === undefined) return undefined;
  return `DATABASE_URL: PostgreSQL refused the connection: ${String(fault.message)}: ${fix}.`;
}

function sqliteFault(fault: SystemFault, path: string): string | undefined {
  const dir = dirname(path);
  switch (fault.code) {
    case 'SQLITE_NOTADB':
      return `DATABASE_URL: ${path} is not a SQLite database (file is not a database): point DATABASE_URL at the right file, or move this one away to start a new database.`;
    case 'SQLITE_READONLY':
    case 'SQLITE_READONLY_DIRECTORY':
      return `DATABASE_URL: the SQLite database ${path} cannot be written (${String(fault.message)}): give this process write access to the file and to its directory ${dir}, or point DATABASE_URL at a writable path.`;
    case 'SQLITE_CANTOPEN':
      return `DATABASE_URL: cannot open or create the SQLite database ${path} (${String(fault.message)}): give this process write access to its directory ${dir}, or point DATABASE_URL at a writable path.`;
  }
  if (fault.syscall !== 'mkdir') return undefined;
  const at = typeof fault.path === 'string' ? fault.path : dir;
  switch (fault.code) {
    case 'ENOTDIR':
    case 'EEXIST':
      return `DATABASE_URL: cannot create the directory ${dir} for the SQLite database ${path}: a part of it is a regular file, not a directory (${String(fault.code)} at ${at}): choose a path whose parents are directories.`;
    case 'EROFS':
      return `DATABASE_URL: cannot create the directory ${at} for the SQLite database ${path}: the filesystem is read-only: choose a path on a writable filesystem.`;
    case 'EACCES':
    case 'EPERM':
      return `DATABASE_URL: cannot create the directory ${at} for the SQLite database ${path}: permission denied: create it with write access for this process, or choose another path.`;
  }
  return undefined;
}

/** The message naming the fix for a start-up fault an operator caused; undefined for any other. */
export function startupFailureMessage(error: unknown, config: Config): string | undefined {
  const postgres = isPostgresUrl(config.databaseUrl);
  for (const fault of chain(error)) {
    const message =
      fault.syscall === 'listen' || fault.syscall === 'bind' || fault.syscall === 'getaddrinfo'
        ? listenFault(fault, config)
        : postgres
          ? postgresFault(fault)
          : sqliteFault(fault, sqlitePath(config.databaseUrl));
    if (message !== undefined) return message;
  }
  return undefined;
}
