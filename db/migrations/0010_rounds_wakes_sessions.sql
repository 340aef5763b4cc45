-- #16: review rounds (tasks.round, task_step_rounds), wakes, sessions and cost on runs (run_usage),
-- and runs without a task (runs.task_id becomes nullable: the table is rebuilt). applyMigrations turns
-- foreign keys off around the transaction, so dropping the old runs table does not cascade to
-- run_log, and checks them (PRAGMA foreign_key_check) before it commits.
CREATE TABLE `task_step_rounds` (
	`task_id` text NOT NULL,
	`round` integer NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`note` text,
	`started_at` integer,
	`ended_at` integer,
	PRIMARY KEY(`task_id`, `round`, `position`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `run_usage` (
	`run_id` text NOT NULL,
	`position` integer NOT NULL,
	`task_id` text,
	`round` integer,
	`agent_name` text NOT NULL,
	`day` text NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`cache_creation_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`run_id`, `position`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_usage_task_idx` ON `run_usage` (`task_id`);--> statement-breakpoint
CREATE INDEX `run_usage_agent_day_idx` ON `run_usage` (`agent_name`,`day`);--> statement-breakpoint
CREATE INDEX `run_usage_day_idx` ON `run_usage` (`day`);--> statement-breakpoint
CREATE TABLE `wakes` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_name` text NOT NULL,
	`task_id` text,
	`kind` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`reason` text NOT NULL,
	`caused_by` text NOT NULL,
	`from_agent` text,
	`message_id` text,
	`source_event_id` integer,
	`run_id` text,
	`created_at` integer NOT NULL,
	`settled_at` integer,
	FOREIGN KEY (`agent_name`) REFERENCES `agents`(`name`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `wakes_status_idx` ON `wakes` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `wakes_task_idx` ON `wakes` (`task_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `wakes_pair_idx` ON `wakes` (`from_agent`,`agent_name`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `wakes_source_idx` ON `wakes` (`source_event_id`,`agent_name`,`task_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text,
	`agent_name` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`trigger` text DEFAULT 'manual' NOT NULL,
	`retry_of` text,
	`preset` text NOT NULL,
	`command` text DEFAULT '[]' NOT NULL,
	`requested_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`ended_at` integer,
	`exit_code` integer,
	`signal` text,
	`reason` text,
	`token_id` text,
	`cancel_requested_at` integer,
	`cancel_requested_by` text,
	`log_lines` integer DEFAULT 0 NOT NULL,
	`dropped_lines` integer DEFAULT 0 NOT NULL,
	`round` integer,
	`wake_reason` text,
	`resume_session_id` text,
	`session_id` text,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cache_read_tokens` integer DEFAULT 0 NOT NULL,
	`cache_creation_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_name`) REFERENCES `agents`(`name`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`token_id`) REFERENCES `api_tokens`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_runs`("id", "task_id", "agent_name", "status", "trigger", "retry_of", "preset", "command", "requested_by", "created_at", "started_at", "ended_at", "exit_code", "signal", "reason", "token_id", "cancel_requested_at", "cancel_requested_by", "log_lines", "dropped_lines") SELECT "id", "task_id", "agent_name", "status", "trigger", "retry_of", "preset", "command", "requested_by", "created_at", "started_at", "ended_at", "exit_code", "signal", "reason", "token_id", "cancel_requested_at", "cancel_requested_by", "log_lines", "dropped_lines" FROM `runs`;--> statement-breakpoint
DROP TABLE `runs`;--> statement-breakpoint
ALTER TABLE `__new_runs` RENAME TO `runs`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `runs_task_idx` ON `runs` (`task_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `runs_agent_status_idx` ON `runs` (`agent_name`,`status`);--> statement-breakpoint
CREATE INDEX `runs_agent_created_idx` ON `runs` (`agent_name`,`created_at`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `round` integer DEFAULT 1 NOT NULL;