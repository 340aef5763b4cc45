-- The full-text index also indexes the recipient inbox (a third column, weight 0 in the ranking),
-- so a search within one inbox (every agent's search, the inbox page's) is an intersection inside
-- FTS5 instead of a lookup per message of the inbox: 38 s → 10 ms for the largest inbox of the
-- million-message bench dataset (docs/benchmarks.md). Words typed by people are matched in subject
-- and body only (`{subject body} : (...)`, see searchMessages).
DROP TRIGGER IF EXISTS `messages_fts_ai`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_ad`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_au`;
--> statement-breakpoint
DROP TABLE IF EXISTS `messages_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `messages_fts` USING fts5(
  subject, body, to_inbox,
  content='messages', content_rowid='seq',
  prefix='2 3',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- `rank` is bm25 over subject and body; the inbox column only filters.
INSERT INTO messages_fts(messages_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0, 0.0)');
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ai` AFTER INSERT ON `messages` BEGIN
  INSERT INTO messages_fts(rowid, subject, body, to_inbox) VALUES (new.seq, new.subject, new.body, new.to_inbox);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ad` AFTER DELETE ON `messages` BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, subject, body, to_inbox) VALUES ('delete', old.seq, old.subject, old.body, old.to_inbox);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_au` AFTER UPDATE OF subject, body, to_inbox ON `messages` BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, subject, body, to_inbox) VALUES ('delete', old.seq, old.subject, old.body, old.to_inbox);
  INSERT INTO messages_fts(rowid, subject, body, to_inbox) VALUES (new.seq, new.subject, new.body, new.to_inbox);
END;
--> statement-breakpoint
-- Index the messages already there (about 30 s per million messages on the bench machine).
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
