-- An inbox page (what every agent polls): WHERE to_inbox = ? AND archived_at IS NULL ORDER BY
-- created_at DESC, id DESC. PostgreSQL does not take `archived_at IS NULL` as an equality that lets
-- messages_inbox_idx (to_inbox, archived_at, created_at, id) give that order, so it read and sorted
-- the whole inbox: 535 ms for a page of the 165,648-message inbox of the bench dataset; 0.34 ms with
-- this partial index. (SQLite uses messages_inbox_idx in order.)
CREATE INDEX IF NOT EXISTS "messages_inbox_live_idx" ON "messages" USING btree ("to_inbox", "created_at" DESC, "id" DESC) WHERE "archived_at" IS NULL;
