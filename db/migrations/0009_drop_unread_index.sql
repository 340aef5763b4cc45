-- The partial index on unread messages only served the counts, which inbox_unread keeps since 0008;
-- nothing else reads it (the unread-only inbox page walks messages_inbox_idx), and every message
-- insert, read and archive paid for maintaining it.
DROP INDEX IF EXISTS `messages_unread_idx`;
