-- Search within one inbox walks its newest messages first (lib/services/search/backend-pg.ts): for a
-- frequent word, reading the inbox newest first and testing each message beats the GIN index and a
-- sort (145 ms → 4 ms for a common word in a 165,000-message inbox of the bench dataset). SQLite
-- needs no such index: its FTS5 table carries the inbox as a column.
CREATE INDEX IF NOT EXISTS "messages_inbox_seq_idx" ON "messages" USING btree ("to_inbox", "seq");
