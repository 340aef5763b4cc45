-- Issue #22, the later layouts of the folder protocol: a task may belong to a parent task (a
-- strategic task ST2 is the parent of its tactical tasks TT2.1...), and broadcast channels
-- (`_communication/broadcast/{channel}/`) are named groups of recipients. ADD COLUMN keeps the
-- table (and the FTS triggers of 0012 on it) as it is.
CREATE TABLE `broadcast_channels` (
	`name` text PRIMARY KEY NOT NULL,
	`members` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `tasks` ADD `parent_task_id` text REFERENCES tasks(id);--> statement-breakpoint
CREATE INDEX `tasks_parent_idx` ON `tasks` (`parent_task_id`,`ref`) WHERE parent_task_id IS NOT NULL;