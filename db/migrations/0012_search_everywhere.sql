-- Full-text search over tasks, outputs and instructions (issue #18, "Search everywhere"), beside
-- messages_fts. Unlike messages (keyed on their INTEGER PRIMARY KEY seq), these tables are keyed on
-- text ids: their implicit rowid may be renumbered by VACUUM or a table rebuild, so these indexes
-- keep their own copy of the text (FTS5 with content) and find a row again by `key`: 'k' and the
-- hex of the row id, one token, so `key : "k<hex>"` is an exact lookup in the index whatever
-- characters the id holds (even an empty one). `agent` ('k' and the hex of the agent's name) makes
-- an agent's search, or a search filtered by agent, an intersection inside FTS5, as messages_fts
-- does with to_inbox. `id` is the row id for joins (not indexed). Words people type are matched in
-- the text columns only (`{title description criteria} : (...)`, lib/services/search). Each
-- table's rowid grows with every (re)indexing, so newest first is rowid DESC. Triggers fire only
-- when an indexed column changes: never on status, lease or heartbeat writes.
CREATE VIRTUAL TABLE `tasks_fts` USING fts5(
  title, description, criteria, id UNINDEXED, key, agent,
  prefix='2 3',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO tasks_fts(tasks_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0, 1.0, 0.0, 0.0, 0.0)');
--> statement-breakpoint
CREATE TRIGGER `tasks_fts_ai` AFTER INSERT ON `tasks` BEGIN
  INSERT INTO tasks_fts(title, description, criteria, id, key, agent) VALUES (
    new.title, new.description,
    CASE WHEN json_valid(new.acceptance_criteria) AND json_type(new.acceptance_criteria) = 'array' THEN (SELECT group_concat(value, char(10)) FROM json_each(new.acceptance_criteria)) ELSE new.acceptance_criteria END,
    new.id, 'k' || hex(new.id), 'k' || hex(new.assigned_agent));
END;
--> statement-breakpoint
CREATE TRIGGER `tasks_fts_ad` AFTER DELETE ON `tasks` BEGIN
  DELETE FROM tasks_fts WHERE rowid IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH 'key : "k' || hex(old.id) || '"' AND id = old.id);
END;
--> statement-breakpoint
CREATE TRIGGER `tasks_fts_au` AFTER UPDATE OF id, title, description, acceptance_criteria, assigned_agent ON `tasks`
WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.description IS NOT new.description OR old.acceptance_criteria IS NOT new.acceptance_criteria OR old.assigned_agent IS NOT new.assigned_agent
BEGIN
  DELETE FROM tasks_fts WHERE rowid IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH 'key : "k' || hex(old.id) || '"' AND id = old.id);
  INSERT INTO tasks_fts(title, description, criteria, id, key, agent) VALUES (
    new.title, new.description,
    CASE WHEN json_valid(new.acceptance_criteria) AND json_type(new.acceptance_criteria) = 'array' THEN (SELECT group_concat(value, char(10)) FROM json_each(new.acceptance_criteria)) ELSE new.acceptance_criteria END,
    new.id, 'k' || hex(new.id), 'k' || hex(new.assigned_agent));
END;
--> statement-breakpoint
-- Every version of an output's content. `task` ('k' and the hex of the task id) finds a task's outputs when the
-- task is reassigned: `agent` follows the task's agent.
CREATE VIRTUAL TABLE `outputs_fts` USING fts5(
  content, id UNINDEXED, key, task, agent,
  prefix='2 3',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO outputs_fts(outputs_fts, rank) VALUES ('rank', 'bm25(1.0, 0.0, 0.0, 0.0, 0.0)');
--> statement-breakpoint
CREATE TRIGGER `outputs_fts_ai` AFTER INSERT ON `outputs` BEGIN
  INSERT INTO outputs_fts(content, id, key, task, agent) VALUES (
    new.content, new.id, 'k' || hex(new.id), 'k' || hex(new.task_id), 'k' || hex((SELECT assigned_agent FROM tasks WHERE id = new.task_id)));
END;
--> statement-breakpoint
CREATE TRIGGER `outputs_fts_ad` AFTER DELETE ON `outputs` BEGIN
  DELETE FROM outputs_fts WHERE rowid IN (SELECT rowid FROM outputs_fts WHERE outputs_fts MATCH 'key : "k' || hex(old.id) || '"' AND id = old.id);
END;
--> statement-breakpoint
CREATE TRIGGER `outputs_fts_au` AFTER UPDATE OF id, content, task_id ON `outputs`
WHEN old.id IS NOT new.id OR old.content IS NOT new.content OR old.task_id IS NOT new.task_id
BEGIN
  DELETE FROM outputs_fts WHERE rowid IN (SELECT rowid FROM outputs_fts WHERE outputs_fts MATCH 'key : "k' || hex(old.id) || '"' AND id = old.id);
  INSERT INTO outputs_fts(content, id, key, task, agent) VALUES (
    new.content, new.id, 'k' || hex(new.id), 'k' || hex(new.task_id), 'k' || hex((SELECT assigned_agent FROM tasks WHERE id = new.task_id)));
END;
--> statement-breakpoint
CREATE TRIGGER `outputs_fts_task_agent` AFTER UPDATE OF assigned_agent ON `tasks`
WHEN old.assigned_agent IS NOT new.assigned_agent
BEGIN
  UPDATE outputs_fts SET agent = 'k' || hex(new.assigned_agent) WHERE rowid IN (SELECT rowid FROM outputs_fts WHERE outputs_fts MATCH 'task : "k' || hex(new.id) || '"');
END;
--> statement-breakpoint
CREATE VIRTUAL TABLE `instructions_fts` USING fts5(
  title, body, id UNINDEXED, key,
  prefix='2 3',
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO instructions_fts(instructions_fts, rank) VALUES ('rank', 'bm25(2.0, 1.0, 0.0, 0.0)');
--> statement-breakpoint
CREATE TRIGGER `instructions_fts_ai` AFTER INSERT ON `instructions` BEGIN
  INSERT INTO instructions_fts(title, body, id, key) VALUES (new.title, new.body, new.id, 'k' || hex(new.id));
END;
--> statement-breakpoint
CREATE TRIGGER `instructions_fts_ad` AFTER DELETE ON `instructions` BEGIN
  DELETE FROM instructions_fts WHERE rowid IN (SELECT rowid FROM instructions_fts WHERE instructions_fts MATCH 'key : "k' || hex(old.id) || '"' AND id = old.id);
END;
--> statement-breakpoint
CREATE TRIGGER `instructions_fts_au` AFTER UPDATE OF id, title, body ON `instructions`
WHEN old.id IS NOT new.id OR old.title IS NOT new.title OR old.body IS NOT new.body
BEGIN
  DELETE FROM instructions_fts WHERE rowid IN (SELECT rowid FROM instructions_fts WHERE instructions_fts MATCH 'key : "k' || hex(old.id) || '"' AND id = old.id);
  INSERT INTO instructions_fts(title, body, id, key) VALUES (new.title, new.body, new.id, 'k' || hex(new.id));
END;
--> statement-breakpoint
-- Long prefixes are expanded from each index's terms, as for messages (messages_fts_vocab, 0007).
CREATE VIRTUAL TABLE IF NOT EXISTS `tasks_fts_vocab` USING fts5vocab(tasks_fts, row);
--> statement-breakpoint
CREATE VIRTUAL TABLE IF NOT EXISTS `outputs_fts_vocab` USING fts5vocab(outputs_fts, row);
--> statement-breakpoint
CREATE VIRTUAL TABLE IF NOT EXISTS `instructions_fts_vocab` USING fts5vocab(instructions_fts, row);
--> statement-breakpoint
-- Index what is already there, oldest first (so newest first stays rowid DESC).
INSERT INTO instructions_fts(title, body, id, key) SELECT title, body, id, 'k' || hex(id) FROM instructions ORDER BY created_at, id;
--> statement-breakpoint
INSERT INTO tasks_fts(title, description, criteria, id, key, agent)
  SELECT title, description,
    CASE WHEN json_valid(acceptance_criteria) AND json_type(acceptance_criteria) = 'array' THEN (SELECT group_concat(value, char(10)) FROM json_each(acceptance_criteria)) ELSE acceptance_criteria END,
    id, 'k' || hex(id), 'k' || hex(assigned_agent)
  FROM tasks ORDER BY created_at, id;
--> statement-breakpoint
INSERT INTO outputs_fts(content, id, key, task, agent)
  SELECT o.content, o.id, 'k' || hex(o.id), 'k' || hex(o.task_id), 'k' || hex(t.assigned_agent)
  FROM outputs o JOIN tasks t ON t.id = o.task_id ORDER BY o.created_at, o.id;
