CREATE TABLE `agents` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`title` text,
	`tier` text,
	`domain` text,
	`model` text,
	`color` text,
	`capabilities` text DEFAULT '[]' NOT NULL,
	`tools` text DEFAULT '[]' NOT NULL,
	`steps` text DEFAULT '[]' NOT NULL,
	`steps_source` text,
	`memory` text DEFAULT '{"reads":[],"writes":[]}' NOT NULL,
	`resources` text DEFAULT '[]' NOT NULL,
	`extra` text DEFAULT '{}' NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`source_path` text,
	`content_hash` text,
	`lease_minutes` integer,
	`active` integer DEFAULT true NOT NULL,
	`synced_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`agent_name` text,
	`user_id` text,
	`label` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`expires_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`agent_name`) REFERENCES `agents`(`name`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_agent_idx` ON `api_tokens` (`agent_name`);--> statement-breakpoint
CREATE INDEX `api_tokens_user_idx` ON `api_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`role` text NOT NULL,
	`password_hash` text,
	`created_at` integer NOT NULL,
	`disabled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `instructions` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`tier` integer DEFAULT 1 NOT NULL,
	`priority` text DEFAULT 'normal' NOT NULL,
	`phase` text DEFAULT 'routing' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`source_path` text,
	`original` text
);
--> statement-breakpoint
CREATE INDEX `instructions_created_idx` ON `instructions` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `instructions_phase_idx` ON `instructions` (`phase`,`created_at`);--> statement-breakpoint
CREATE TABLE `task_dependencies` (
	`task_id` text NOT NULL,
	`depends_on_task_id` text NOT NULL,
	PRIMARY KEY(`task_id`, `depends_on_task_id`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`depends_on_task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `task_deps_reverse_idx` ON `task_dependencies` (`depends_on_task_id`);--> statement-breakpoint
CREATE TABLE `task_steps` (
	`task_id` text NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`guidance` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`note` text,
	`started_at` integer,
	`ended_at` integer,
	`updated_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`task_id`, `position`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`instruction_id` text NOT NULL,
	`ref` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`type` text DEFAULT 'create' NOT NULL,
	`assigned_agent` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`priority` text DEFAULT 'normal' NOT NULL,
	`priority_rank` integer DEFAULT 2 NOT NULL,
	`authority` text DEFAULT 'review_required' NOT NULL,
	`deadline` integer,
	`acceptance_criteria` text DEFAULT '[]' NOT NULL,
	`files_to_modify` text DEFAULT '[]' NOT NULL,
	`files_to_create` text DEFAULT '[]' NOT NULL,
	`blocked_reason` text,
	`blocker_type` text,
	`lease_token` integer DEFAULT 0 NOT NULL,
	`lease_expires_at` integer,
	`last_heartbeat_at` integer,
	`claimed_at` integer,
	`completed_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`source_path` text,
	`original` text,
	FOREIGN KEY (`instruction_id`) REFERENCES `instructions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assigned_agent`) REFERENCES `agents`(`name`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_instruction_ref_idx` ON `tasks` (`instruction_id`,`ref`);--> statement-breakpoint
CREATE INDEX `tasks_status_updated_idx` ON `tasks` (`status`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_agent_status_idx` ON `tasks` (`assigned_agent`,`status`,`priority_rank`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_instruction_idx` ON `tasks` (`instruction_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_lease_idx` ON `tasks` (`status`,`lease_expires_at`);--> statement-breakpoint
CREATE TABLE `outputs` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`version` integer NOT NULL,
	`format` text NOT NULL,
	`language` text,
	`content` text NOT NULL,
	`files` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'pending_review' NOT NULL,
	`step_position` integer,
	`submitted_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`source_path` text,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outputs_task_version_idx` ON `outputs` (`task_id`,`version`);--> statement-breakpoint
CREATE INDEX `outputs_status_created_idx` ON `outputs` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`output_id` text NOT NULL,
	`reviewer` text NOT NULL,
	`decision` text NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`message_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`output_id`) REFERENCES `outputs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `reviews_output_idx` ON `reviews` (`output_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `messages` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`thread_id` text NOT NULL,
	`in_reply_to` text,
	`from_kind` text NOT NULL,
	`from_name` text NOT NULL,
	`to_inbox` text NOT NULL,
	`type` text NOT NULL,
	`priority` text DEFAULT 'normal' NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`instruction_id` text,
	`task_id` text,
	`step_position` integer,
	`created_at` integer NOT NULL,
	`read_at` integer,
	`answered_at` integer,
	`archived_at` integer,
	`source_path` text,
	`original` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_id_unique` ON `messages` (`id`);--> statement-breakpoint
CREATE INDEX `messages_inbox_idx` ON `messages` (`to_inbox`,`archived_at`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `messages_unread_idx` ON `messages` (`to_inbox`) WHERE read_at IS NULL AND archived_at IS NULL;--> statement-breakpoint
CREATE INDEX `messages_thread_idx` ON `messages` (`thread_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_task_idx` ON `messages` (`task_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_instruction_idx` ON `messages` (`instruction_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`verb` text NOT NULL,
	`entity_kind` text NOT NULL,
	`entity_id` text NOT NULL,
	`instruction_id` text,
	`task_id` text,
	`before` text,
	`after` text
);
--> statement-breakpoint
CREATE INDEX `events_entity_idx` ON `events` (`entity_kind`,`entity_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_task_idx` ON `events` (`task_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_instruction_idx` ON `events` (`instruction_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_actor_idx` ON `events` (`actor_id`,`id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`actor` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`actor`, `key`)
);
