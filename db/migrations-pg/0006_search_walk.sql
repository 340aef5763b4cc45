-- Search on PostgreSQL reads the newest rows first (issue #21; lib/services/search/backend-pg.ts).
--
-- A BRIN index on messages.seq (a few pages: seq follows the table's physical order) keeps a GIN
-- index's matches to the newest messages where a search expects enough of them: PostgreSQL then
-- reads those rows only, mostly in its buffers, instead of every match of the table (a phrase of
-- the bench dataset: 10,000 rows, 18-40 ms; 2,000 of the newest, 9-17 ms).
CREATE INDEX IF NOT EXISTS "messages_seq_brin_idx" ON "messages" USING brin ("seq") WITH (pages_per_range = 32);
--> statement-breakpoint
-- One agent's tasks newest first, as its outputs (search_agent, id, 0005) and an inbox's messages
-- (to_inbox, seq, 0002): the agent filter of search everywhere walks them instead of every task.
CREATE INDEX IF NOT EXISTS "tasks_agent_id_idx" ON "tasks" USING btree ("assigned_agent", "id");
