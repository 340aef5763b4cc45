-- The terms of the full-text index, for expanding a long prefix search: FTS5 answers `word*`
-- from its prefix indexes only for 2 and 3 characters; a longer prefix (`idempot*`) made it merge
-- the postings of every matching term in memory, about 500 ms for a common word in a million
-- messages. searchMessages looks the terms up here and searches `("idempotency" OR ...)` instead.
CREATE VIRTUAL TABLE IF NOT EXISTS `messages_fts_vocab` USING fts5vocab(messages_fts, row);
