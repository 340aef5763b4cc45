-- tasks.fts computed by a trigger instead of a generated column (issue #21). PostgreSQL recomputes a
-- STORED generated column on every UPDATE of the row, whatever it changes: 0.2-0.3 ms of
-- to_tsvector on each heartbeat, step and claim (they only touch the lease and timestamps). The
-- trigger computes it when a task is inserted and when its title, description or acceptance
-- criteria change, with the expression of 0001 (the same vector: search results do not change).
-- DROP EXPRESSION keeps the stored values. ENABLE ALWAYS: it also fires under
-- session_replication_role = replica (the bench's bulk load), as the generated column did.
ALTER TABLE "tasks" ALTER COLUMN "fts" DROP EXPRESSION;
--> statement-breakpoint
CREATE FUNCTION agentdesk_tasks_fts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.fts := setweight(to_tsvector('ad_simple', coalesce(NEW."title", '')), 'A') || setweight(to_tsvector('ad_simple', coalesce(NEW."description", '')), 'B') || setweight(to_tsvector('ad_simple', coalesce(agentdesk_json_lines(NEW."acceptance_criteria"), '')), 'C');
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "tasks_fts_bi" BEFORE INSERT ON "tasks" FOR EACH ROW EXECUTE FUNCTION agentdesk_tasks_fts();
--> statement-breakpoint
CREATE TRIGGER "tasks_fts_bu" BEFORE UPDATE OF "title", "description", "acceptance_criteria", "fts" ON "tasks" FOR EACH ROW
  WHEN (OLD."title" IS DISTINCT FROM NEW."title" OR OLD."description" IS DISTINCT FROM NEW."description" OR OLD."acceptance_criteria" IS DISTINCT FROM NEW."acceptance_criteria" OR OLD."fts" IS DISTINCT FROM NEW."fts")
  EXECUTE FUNCTION agentdesk_tasks_fts();
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE ALWAYS TRIGGER "tasks_fts_bi";
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE ALWAYS TRIGGER "tasks_fts_bu";
