-- Search on PostgreSQL finds the words SQLite's FTS5 finds, and phrases from an index of word pairs
-- (issue #21; lib/services/search/backend-pg.ts, docs/api.md "search on PostgreSQL").
--
-- Words. PostgreSQL's parser keeps a path, host, e-mail address or version whole (`docs/api.md` is
-- one term), and the C-collation database AgentDesk requires folds case for ASCII only (`Привет`
-- stayed `Привет`). FTS5's unicode61 splits on everything but letters and digits and folds every
-- script. agentdesk_fts_words does the same before the parser sees the text: every run of other
-- characters becomes one space (the classes and the lower case are ICU's, through the collation
-- und-x-icu, whatever the database's collation), so the parser only sees words; `ad_simple` then
-- removes accents as before. Queries go through the same function (agentdesk_fts_query).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
    RAISE EXCEPTION 'AgentDesk''s search needs PostgreSQL built with ICU (the collation "und-x-icu" is missing)';
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION agentdesk_fts_words(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(regexp_replace(t COLLATE "und-x-icu", '[^[:alnum:]\u0300-\u036f]+', ' ', 'g'));
--> statement-breakpoint
-- One column's words as a tsvector, weighted.
CREATE FUNCTION agentdesk_fts(t text, w "char") RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN setweight(to_tsvector('ad_simple', agentdesk_fts_words(coalesce(t, ''))), w);
--> statement-breakpoint
-- Phrases. A GIN index on words has no positions: a phrase of common words ("rate limit", each word
-- in half the messages) made PostgreSQL read and check every message holding both words (250,000 of
-- the bench dataset's million, for 10,000 phrases). fts_pairs holds each pair of neighbouring words
-- of a column as one lexeme ('rate limit'): its GIN index hands over the messages holding the phrase,
-- and a two-word phrase needs nothing else. Pairs never span two columns (FTS5's phrases do not).
CREATE FUNCTION agentdesk_fts_pairs(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.l || ' ' || b.l)), ''::tsvector)
  FROM (SELECT lexeme AS l, unnest(positions) AS p FROM unnest(to_tsvector('ad_simple', agentdesk_fts_words(coalesce(t, ''))))) a
  JOIN (SELECT lexeme AS l, unnest(positions) AS p FROM unnest(to_tsvector('ad_simple', agentdesk_fts_words(coalesce(t, ''))))) b ON b.p = a.p + 1
$$;
--> statement-breakpoint
-- A part of a search (lib/services/search/query.ts): a word or a phrase, or with `prefix` a phrase
-- whose last word is a prefix (FTS5's "one two thr"*).
CREATE FUNCTION agentdesk_fts_query(t text, prefix boolean) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT CASE
    WHEN NOT prefix OR cardinality(w) = 0 THEN phraseto_tsquery('ad_simple', array_to_string(w, ' '))
    WHEN cardinality(w) = 1 THEN to_tsquery('ad_simple', quote_literal(w[1]) || ':*')
    ELSE tsquery_phrase(phraseto_tsquery('ad_simple', array_to_string(w[1:cardinality(w) - 1], ' ')), to_tsquery('ad_simple', quote_literal(w[cardinality(w)]) || ':*'))
  END
  FROM (SELECT coalesce(regexp_split_to_array(nullif(btrim(agentdesk_fts_words(t)), ''), ' '), '{}') AS w) x
$$;
--> statement-breakpoint
-- The pairs of a phrase, AND-ed, for fts_pairs; null for a single word.
CREATE FUNCTION agentdesk_fts_pairs_query(t text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT string_agg(quote_literal(lexeme), ' & ')::tsquery FROM unnest(agentdesk_fts_pairs(t))
$$;
--> statement-breakpoint
-- The columns again, with these words (a table rewrite: about 4 minutes for the million messages of
-- the bench dataset on 2 busy cores, index builds included). tasks.fts is kept by its trigger (0004).
ALTER TABLE "messages" DROP COLUMN "fts",
  ADD COLUMN "fts" tsvector GENERATED ALWAYS AS (agentdesk_fts("subject", 'A') || agentdesk_fts("body", 'B')) STORED,
  ADD COLUMN "fts_pairs" tsvector GENERATED ALWAYS AS (agentdesk_fts_pairs("subject") || agentdesk_fts_pairs("body")) STORED;
--> statement-breakpoint
CREATE INDEX "messages_fts_idx" ON "messages" USING gin ("fts");
--> statement-breakpoint
CREATE INDEX "messages_fts_pairs_idx" ON "messages" USING gin ("fts_pairs");
--> statement-breakpoint
-- Outputs filtered by agent (search everywhere's agent filter, an agent's own search) read the agent
-- of the output's task from search_agent, as FTS5's outputs_fts keeps it in its agent column
-- (SQLite 0012, outputs_fts_task_agent), instead of looking up the task of every output tested:
-- an agent's outputs newest first on (search_agent, id). Kept by triggers, also under
-- session_replication_role = replica (a bulk load, in any table order).
ALTER TABLE "outputs" ADD COLUMN "search_agent" text;
--> statement-breakpoint
UPDATE "outputs" o SET "search_agent" = t."assigned_agent" FROM "tasks" t WHERE t."id" = o."task_id";
--> statement-breakpoint
ALTER TABLE "outputs" DROP COLUMN "fts",
  ADD COLUMN "fts" tsvector GENERATED ALWAYS AS (agentdesk_fts("content", 'A')) STORED,
  ADD COLUMN "fts_pairs" tsvector GENERATED ALWAYS AS (agentdesk_fts_pairs("content")) STORED;
--> statement-breakpoint
CREATE INDEX "outputs_fts_idx" ON "outputs" USING gin ("fts");
--> statement-breakpoint
CREATE INDEX "outputs_fts_pairs_idx" ON "outputs" USING gin ("fts_pairs");
--> statement-breakpoint
CREATE INDEX "outputs_search_agent_idx" ON "outputs" USING btree ("search_agent", "id");
--> statement-breakpoint
CREATE FUNCTION agentdesk_outputs_search_agent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_agent := (SELECT t.assigned_agent FROM tasks t WHERE t.id = NEW.task_id);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "outputs_search_agent_bi" BEFORE INSERT OR UPDATE OF "task_id" ON "outputs" FOR EACH ROW EXECUTE FUNCTION agentdesk_outputs_search_agent();
--> statement-breakpoint
CREATE FUNCTION agentdesk_tasks_search_agent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE outputs SET search_agent = NEW.assigned_agent WHERE task_id = NEW.id AND search_agent IS DISTINCT FROM NEW.assigned_agent;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "tasks_search_agent_ai" AFTER INSERT ON "tasks" FOR EACH ROW EXECUTE FUNCTION agentdesk_tasks_search_agent();
--> statement-breakpoint
CREATE TRIGGER "tasks_search_agent_au" AFTER UPDATE OF "assigned_agent" ON "tasks" FOR EACH ROW
  WHEN (OLD."assigned_agent" IS DISTINCT FROM NEW."assigned_agent")
  EXECUTE FUNCTION agentdesk_tasks_search_agent();
--> statement-breakpoint
ALTER TABLE "outputs" ENABLE ALWAYS TRIGGER "outputs_search_agent_bi";
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE ALWAYS TRIGGER "tasks_search_agent_ai";
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE ALWAYS TRIGGER "tasks_search_agent_au";
--> statement-breakpoint
ALTER TABLE "instructions" DROP COLUMN "fts",
  ADD COLUMN "fts" tsvector GENERATED ALWAYS AS (agentdesk_fts("title", 'A') || agentdesk_fts("body", 'B')) STORED,
  ADD COLUMN "fts_pairs" tsvector GENERATED ALWAYS AS (agentdesk_fts_pairs("title") || agentdesk_fts_pairs("body")) STORED;
--> statement-breakpoint
CREATE INDEX "instructions_fts_idx" ON "instructions" USING gin ("fts");
--> statement-breakpoint
CREATE INDEX "instructions_fts_pairs_idx" ON "instructions" USING gin ("fts_pairs");
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "fts_pairs" tsvector;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION agentdesk_tasks_fts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  criteria text := agentdesk_json_lines(NEW."acceptance_criteria");
BEGIN
  NEW.fts := agentdesk_fts(NEW."title", 'A') || agentdesk_fts(NEW."description", 'B') || agentdesk_fts(criteria, 'C');
  NEW.fts_pairs := agentdesk_fts_pairs(NEW."title") || agentdesk_fts_pairs(NEW."description") || agentdesk_fts_pairs(criteria);
  RETURN NEW;
END
$$;
--> statement-breakpoint
-- Every task's columns recomputed by the trigger (tasks_fts_bu fires on a change of fts).
DROP INDEX "tasks_fts_idx";
--> statement-breakpoint
UPDATE "tasks" SET "fts" = NULL;
--> statement-breakpoint
CREATE INDEX "tasks_fts_idx" ON "tasks" USING gin ("fts");
--> statement-breakpoint
CREATE INDEX "tasks_fts_pairs_idx" ON "tasks" USING gin ("fts_pairs");
--> statement-breakpoint
-- The plan choice reads the new columns' statistics (backend-pg.ts, walkFirst): gathered now where
-- there are rows (an empty table keeps "no statistics yet", which leaves the choice to the planner).
DO $$
DECLARE
  t text;
  has boolean;
BEGIN
  FOREACH t IN ARRAY ARRAY['messages', 'tasks', 'outputs', 'instructions'] LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', t) INTO has;
    IF has THEN
      EXECUTE format('ANALYZE %I', t);
    END IF;
  END LOOP;
END
$$;
