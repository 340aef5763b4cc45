-- Full-text index over message subjects and bodies. External content (the text lives once, in
-- messages), keyed on messages.seq, kept in step by the triggers below. Prefix indexes of 2 and 3
-- characters make `word*` searches cheap.
CREATE VIRTUAL TABLE `messages_fts` USING fts5(
  subject, body,
  content='messages', content_rowid='seq',
  prefix='2 3',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ai` AFTER INSERT ON `messages` BEGIN
  INSERT INTO messages_fts(rowid, subject, body) VALUES (new.seq, new.subject, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ad` AFTER DELETE ON `messages` BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, subject, body) VALUES ('delete', old.seq, old.subject, old.body);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_au` AFTER UPDATE OF subject, body ON `messages` BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, subject, body) VALUES ('delete', old.seq, old.subject, old.body);
  INSERT INTO messages_fts(rowid, subject, body) VALUES (new.seq, new.subject, new.body);
END;
--> statement-breakpoint
-- The events table is append-only: the application never rewrites history.
CREATE TRIGGER `events_no_update` BEFORE UPDATE ON `events` BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `events_no_delete` BEFORE DELETE ON `events` BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
