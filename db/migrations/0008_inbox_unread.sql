-- Unread messages per inbox, kept by triggers so that an inbox page (which shows the count) does not
-- count the partial index every time: 1.3 ms for the biggest inbox of the bench dataset, three
-- quarters of the page's time (docs/benchmarks.md). "Unread" is read_at IS NULL AND
-- archived_at IS NULL, as before. The triggers fire for every write, so the count is right inside
-- the same transaction whoever writes (the verbs, the folder bridge, the CLI, a raw SQL fix).
CREATE TABLE `inbox_unread` (
	`inbox` text PRIMARY KEY NOT NULL,
	`unread` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `inbox_unread` (`inbox`, `unread`)
  SELECT `to_inbox`, count(*) FROM `messages` WHERE `read_at` IS NULL AND `archived_at` IS NULL GROUP BY `to_inbox`;
--> statement-breakpoint
CREATE TRIGGER `messages_unread_ai` AFTER INSERT ON `messages`
WHEN new.read_at IS NULL AND new.archived_at IS NULL BEGIN
  INSERT INTO inbox_unread (inbox, unread) VALUES (new.to_inbox, 1)
    ON CONFLICT (inbox) DO UPDATE SET unread = unread + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_unread_ad` AFTER DELETE ON `messages`
WHEN old.read_at IS NULL AND old.archived_at IS NULL BEGIN
  UPDATE inbox_unread SET unread = unread - 1 WHERE inbox = old.to_inbox;
END;
--> statement-breakpoint
-- Fires only when the message was or becomes unread, or changes inbox; a move of an unread message
-- takes one from the old inbox and gives one to the new.
CREATE TRIGGER `messages_unread_au` AFTER UPDATE OF read_at, archived_at, to_inbox ON `messages`
WHEN (old.read_at IS NULL AND old.archived_at IS NULL) IS NOT (new.read_at IS NULL AND new.archived_at IS NULL)
  OR (old.to_inbox IS NOT new.to_inbox AND old.read_at IS NULL AND old.archived_at IS NULL) BEGIN
  UPDATE inbox_unread SET unread = unread - 1
    WHERE inbox = old.to_inbox AND old.read_at IS NULL AND old.archived_at IS NULL;
  INSERT INTO inbox_unread (inbox, unread) SELECT new.to_inbox, 1
    WHERE new.read_at IS NULL AND new.archived_at IS NULL
    ON CONFLICT (inbox) DO UPDATE SET unread = unread + 1;
END;
