import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { statSync } from 'node:fs';
import { RESTART_FRAMES } from '../../src/store/sqlite/audit-settler.js';
import { settler } from '../../src/store/sqlite/audit-settling.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { AuditEvent } from '../../src/store/audit.js';
import { StoreUnavailableError } from '../../src/store/store-errors.js';
import { tempDir } from '../support/harness.js';

// The SQLite store writes audit batches on its own connection, each one write transaction. What
// the store's callers count on: every batch it accepted is in the table once it says so, or once
// the store is closed; a lock held elsewhere past the busy timeout is a StoreUnavailableError, and
// the next batch, after it, is written. The rows land in audit_events_incoming and are moved into
// audit_events later (migration 005): a reader sees each row once, wherever it is, and a move takes
// each row once, even with two processes moving.

const event = (n: number): AuditEvent => ({
  at: new Date(1_800_000_000_000 + n),
  event: 'session_refreshed',
  userId: n,
  ip: '127.0.0.1',
  requestId: `r-${n}`,
});
const all = { since: new Date(0), limit: 10_000 };

/** Runs `body` with the path of a database file in a fresh directory, removed afterwards. */
async function withDatabaseFile(body: (path: string) => Promise<void>): Promise<void> {
  const temp = tempDir();
  try {
    await body(join(temp.dir, 'audit.db'));
  } finally {
    temp.remove();
  }
}

test('close() waits for every batch in flight; nothing is lost or written twice', () =>
  withDatabaseFile(async (path) => {
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
  }));

test("a batch refused by another writer's lock is a StoreUnavailableError; the next one, after it, is written", () =>
  withDatabaseFile(async (path) => {
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
  }));

const countIn = (db: Database.Database, table: string) => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;

test('rows not yet moved are listed with those moved, in order, and two processes moving rows never move one twice', () =>
  withDatabaseFile(async (path) => {
    const store = openSqliteStore(path);
    await store.audit.appendAuditEvents(Array.from({ length: 30 }, (_, i) => event(i + 1)));
    await store.close(); // its settler has not looked yet (it waits a round first): every row is still incoming
    const [a, b] = [new Database(path), new Database(path)];
    try {
      assert.equal(countIn(a, 'audit_events_incoming'), 30);
      const [moveA, moveB] = [settler(a, 7), settler(b, 7)];
      assert.deepEqual([moveA(), moveB(), moveA()], [7, 7, 7], 'each move takes the oldest 7 left');
      assert.deepEqual([countIn(a, 'audit_events'), countIn(a, 'audit_events_incoming')], [21, 9]);
      const reader = openSqliteStore(path);
      const listed = await reader.audit.listAuditEvents(all);
      const newest = await reader.audit.listAuditEvents({ ...all, limit: 12 });
      await reader.close();
      assert.deepEqual(
        listed.map((e) => e.userId),
        Array.from({ length: 30 }, (_, i) => i + 1),
        'every row once, oldest first, across both tables',
      );
      assert.deepEqual(
        newest.map((e) => e.userId),
        Array.from({ length: 12 }, (_, i) => i + 19),
        'a limit keeps the newest, across both tables',
      );
      while (moveB() > 0 || moveA() > 0);
      assert.deepEqual(
        a
          .prepare<[], { user_id: number }>('SELECT user_id FROM audit_events ORDER BY id')
          .all()
          .map((r) => r.user_id),
        Array.from({ length: 30 }, (_, i) => i + 1),
        'moved once each, in the order they were committed',
      );
      assert.equal(countIn(a, 'audit_events_incoming'), 0);
    } finally {
      a.close();
      b.close();
    }
  }));

test('pruning removes old rows from both tables', () =>
  withDatabaseFile(async (path) => {
    const store = openSqliteStore(path);
    await store.audit.appendAuditEvents([event(1), event(2), event(3), event(4)]);
    const db = new Database(path);
    settler(db, 2)(); // events 1 and 2 moved, 3 and 4 incoming
    db.close();
    assert.equal(await store.audit.pruneAuditEvents(event(2).at), 1, 'event 1, moved');
    assert.equal(await store.audit.pruneAuditEvents(event(4).at), 2, 'events 2 (moved) and 3 (incoming)');
    assert.deepEqual(
      (await store.audit.listAuditEvents(all)).map((e) => e.userId),
      [4],
    );
    await store.close();
  }));

test("the WAL does not grow without bound while the event loop's writes never pause (the settler thread restarts it)", () =>
  withDatabaseFile(async (path) => {
    const store = openSqliteStore(path);
    // Rows of ~2 KiB (a long User-Agent), 20 a commit with a millisecond between commits (a busy
    // server's pace), until 3 × RESTART_FRAMES pages' worth of rows went through the WAL.
    const userAgent = 'x'.repeat(2000);
    const walBytes = () => statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    let largest = 0;
    let n = 0;
    while (n < 3 * RESTART_FRAMES * 2) {
      await store.audit.appendAuditEvents(Array.from({ length: 20 }, () => ({ ...event(++n), userAgent })));
      largest = Math.max(largest, walBytes());
      await sleep(1);
    }
    const db = new Database(path);
    try {
      for (let waited = 0; countIn(db, 'audit_events_incoming') > 0 && waited < 5000; waited += 50) await sleep(50);
      assert.equal(countIn(db, 'audit_events_incoming'), 0, 'the settler thread moved every row');
      assert.equal(countIn(db, 'audit_events'), n);
    } finally {
      db.close();
    }
    await store.close();
    // Past the thread's restart point by what is written while a restart waits its turn (about 20 MiB
    // on a quiet machine, 33 with the other tests running); without the thread's RESTART it reached
    // 80 MiB, the event loop's own checkpoints (its backstop) beginning only at 4 × RESTART_FRAMES.
    assert.ok(largest <= 3 * RESTART_FRAMES * 4096, `the WAL reached ${(largest / 2 ** 20).toFixed(1)} MiB`);
  }));

test("closing the store while another process holds the write lock does not wait out the busy timeout (the settler's waits are short)", () =>
  withDatabaseFile(async (path) => {
    const store = openSqliteStore(path, { busyTimeoutMs: 5000 });
    await store.audit.appendAuditEvents([event(1)]); // the settler thread starts a round later
    const foreign = new Database(path);
    // Once the row has moved, the thread is running; its next round (every 200 ms) meets the lock.
    for (let waited = 0; countIn(foreign, 'audit_events_incoming') > 0 && waited < 5000; waited += 50) await sleep(50);
    assert.equal(countIn(foreign, 'audit_events_incoming'), 0, 'the settler thread is running');
    foreign.exec('BEGIN IMMEDIATE');
    try {
      await sleep(400);
      const started = performance.now();
      await store.close();
      const took = performance.now() - started;
      assert.ok(took < 1000, `close() took ${took.toFixed(0)} ms`);
    } finally {
      foreign.exec('COMMIT');
      foreign.close();
    }
  }));
