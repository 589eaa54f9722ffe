import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { AuditEvent } from '../../src/store/audit.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { tempDir } from '../support/harness.js';

// The SQLite store writes audit batches on its own connection, each one write transaction. What
// the store's callers count on: every batch it accepted is in the table once it says so, or once
// the store is closed; a lock held elsewhere past the busy timeout is a StoreUnavailableError, and
// the next batch, after it, is written.

const event = (n: number): AuditEvent => ({
  at: new Date(1_800_000_000_000 + n),
  event: 'session_refreshed',
  userId: n,
  ip: '127.0.0.1',
  requestId: `r-${n}`,
});
const all = { since: new Date(0), limit: 10_000 };

test('close() waits for every batch in flight; nothing is lost or written twice', async () => {
  const temp = tempDir();
  try {
    const path = join(temp.dir, 'audit.db');
    const store = openSqliteStore(path);
    const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 50 }, (_, i) => event(b * 50 + i + 1)));
    const written = batches.map((batch) => store.audit.appendAuditEvents(batch)); // not awaited one by one
    await store.close();
    await Promise.all(written);
    const reopened = openSqliteStore(path);
    const events = await reopened.audit.listAuditEvents(all);
    await reopened.close();
    assert.deepEqual(
      events.map((e) => e.userId),
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
    assert.deepEqual(events[0], {
      at: new Date(1_800_000_000_001),
      event: 'session_refreshed',
      userId: 1,
      email: undefined,
      ip: '127.0.0.1',
      userAgent: undefined,
      requestId: 'r-1',
      lane: undefined,
    });
  } finally {
    temp.remove();
  }
});

test("a batch refused by another writer's lock is a StoreUnavailableError; the next one, after it, is written", async () => {
  const temp = tempDir();
  try {
    const path = join(temp.dir, 'audit.db');
    const store = openSqliteStore(path, { busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // holds the write lock
    await assert.rejects(store.audit.appendAuditEvents([event(1)]), StoreUnavailableError);
    other.exec('COMMIT');
    other.close();
    await store.audit.appendAuditEvents([event(2)]);
    assert.deepEqual(
      (await store.audit.listAuditEvents(all)).map((e) => e.userId),
      [2],
    );
    await store.close();
  } finally {
    temp.remove();
  }
});
