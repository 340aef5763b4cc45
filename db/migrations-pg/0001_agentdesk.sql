-- What drizzle-kit cannot express on PostgreSQL, written by hand (docs/plans/postgresql.md §2.3, §3.1,
-- §4.1, §4.2, §4.6); the SQLite counterparts are in db/migrations (0001, 0006, 0008, 0012). The
-- schema parity test (db/schema-parity.pg.test.ts) lists everything here as PostgreSQL-only.
--
-- Full-text search. `ad_simple` is the `simple` configuration with accents removed first (unaccent),
-- as FTS5's `unicode61 remove_diacritics 2`: lower case, no stemming, no stop words.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION ad_simple (COPY = pg_catalog.simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION ad_simple ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple;
--> statement-breakpoint
-- The string items of a JSON array, one per line; any other text as it is (tasks.acceptance_criteria,
-- as 0012's `group_concat(value, char(10)) FROM json_each(...)`). Immutable: it only reads its argument.
CREATE FUNCTION agentdesk_json_lines(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  j jsonb;
BEGIN
  IF t IS NULL THEN
    RETURN NULL;
  END IF;
  BEGIN
    j := t::jsonb;
  EXCEPTION WHEN others THEN
    RETURN t;
  END;
  IF jsonb_typeof(j) <> 'array' THEN
    RETURN t;
  END IF;
  RETURN (SELECT string_agg(CASE WHEN jsonb_typeof(v) = 'string' THEN v #>> '{}' ELSE v::text END, chr(10)) FROM jsonb_array_elements(j) AS v);
END
$$;
--> statement-breakpoint
-- One `fts` column per searched table, computed by PostgreSQL from the row (only when one of its
-- columns changes), with a GIN index. The weights name the columns FTS5 indexes separately, in the
-- order of its bm25 weights: A the first text column, B the second, C the third. The columns FTS5
-- keeps only to filter (to_inbox, key, agent, task) are plain columns here, filtered with their btree
-- indexes.
ALTER TABLE "messages" ADD COLUMN "fts" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('ad_simple', coalesce("subject", '')), 'A') || setweight(to_tsvector('ad_simple', coalesce("body", '')), 'B')) STORED;
--> statement-breakpoint
CREATE INDEX "messages_fts_idx" ON "messages" USING gin ("fts");
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "fts" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('ad_simple', coalesce("title", '')), 'A') || setweight(to_tsvector('ad_simple', coalesce("description", '')), 'B') || setweight(to_tsvector('ad_simple', coalesce(agentdesk_json_lines("acceptance_criteria"), '')), 'C')) STORED;
--> statement-breakpoint
CREATE INDEX "tasks_fts_idx" ON "tasks" USING gin ("fts");
--> statement-breakpoint
ALTER TABLE "outputs" ADD COLUMN "fts" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('ad_simple', coalesce("content", '')), 'A')) STORED;
--> statement-breakpoint
CREATE INDEX "outputs_fts_idx" ON "outputs" USING gin ("fts");
--> statement-breakpoint
ALTER TABLE "instructions" ADD COLUMN "fts" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('ad_simple', coalesce("title", '')), 'A') || setweight(to_tsvector('ad_simple', coalesce("body", '')), 'B')) STORED;
--> statement-breakpoint
CREATE INDEX "instructions_fts_idx" ON "instructions" USING gin ("fts");
--> statement-breakpoint
-- Event order for followers (§3.1): ids can commit out of order, the writing transaction's id tells
-- which events are settled. Followers read (tx, id) > cursor AND tx < pg_snapshot_xmin(pg_current_snapshot()).
ALTER TABLE "events" ADD COLUMN "tx" xid8 DEFAULT pg_current_xact_id() NOT NULL;
--> statement-breakpoint
CREATE INDEX "events_tx_idx" ON "events" USING btree ("tx", "id");
--> statement-breakpoint
-- The events table is append-only: the application never rewrites history (SQLite: events_no_update,
-- events_no_delete). `agentdesk restore` disables them for its one fix-up of tx.
CREATE FUNCTION agentdesk_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only';
END
$$;
--> statement-breakpoint
CREATE TRIGGER "events_no_update" BEFORE UPDATE ON "events" FOR EACH ROW EXECUTE FUNCTION agentdesk_events_append_only();
--> statement-breakpoint
CREATE TRIGGER "events_no_delete" BEFORE DELETE ON "events" FOR EACH ROW EXECUTE FUNCTION agentdesk_events_append_only();
--> statement-breakpoint
-- Live updates on every replica (§4.1): one notification per writing statement, delivered at commit
-- (PostgreSQL folds the duplicates of one transaction). It only says "read the events table".
CREATE FUNCTION agentdesk_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('agentdesk_events', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "events_notify" AFTER INSERT ON "events" FOR EACH STATEMENT EXECUTE FUNCTION agentdesk_events_notify();
--> statement-breakpoint
-- Unread messages per inbox, kept in the writing transaction (SQLite 0008: messages_unread_ai, _ad,
-- _au, with the same WHEN conditions). "Unread" is read_at IS NULL AND archived_at IS NULL.
CREATE FUNCTION agentdesk_messages_unread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.read_at IS NULL AND OLD.archived_at IS NULL THEN
      UPDATE inbox_unread SET unread = unread - 1 WHERE inbox = OLD.to_inbox;
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.read_at IS NULL AND NEW.archived_at IS NULL THEN
      INSERT INTO inbox_unread (inbox, unread) VALUES (NEW.to_inbox, 1)
        ON CONFLICT (inbox) DO UPDATE SET unread = inbox_unread.unread + 1;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_unread_ai" AFTER INSERT ON "messages" FOR EACH ROW
  WHEN (NEW.read_at IS NULL AND NEW.archived_at IS NULL)
  EXECUTE FUNCTION agentdesk_messages_unread();
--> statement-breakpoint
CREATE TRIGGER "messages_unread_ad" AFTER DELETE ON "messages" FOR EACH ROW
  WHEN (OLD.read_at IS NULL AND OLD.archived_at IS NULL)
  EXECUTE FUNCTION agentdesk_messages_unread();
--> statement-breakpoint
-- Fires only when the message was or becomes unread, or an unread one changes inbox.
CREATE TRIGGER "messages_unread_au" AFTER UPDATE OF read_at, archived_at, to_inbox ON "messages" FOR EACH ROW
  WHEN ((OLD.read_at IS NULL AND OLD.archived_at IS NULL) IS DISTINCT FROM (NEW.read_at IS NULL AND NEW.archived_at IS NULL)
    OR (OLD.to_inbox IS DISTINCT FROM NEW.to_inbox AND OLD.read_at IS NULL AND OLD.archived_at IS NULL))
  EXECUTE FUNCTION agentdesk_messages_unread();
--> statement-breakpoint
-- A revoked token or a signed-out session is refused on every replica (§4.2): the verbs that change
-- access add one to `access`; each replica reads it (at most once a millisecond) where SQLite reads
-- PRAGMA data_version.
CREATE TABLE "agentdesk_epochs" (
	"name" text PRIMARY KEY NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "agentdesk_epochs" ("name", "n") VALUES ('access', 0);
--> statement-breakpoint
-- Sign-in throttles are worth no WAL flush: a crash forgets them (§4.4).
ALTER TABLE "auth_throttle" SET UNLOGGED;
