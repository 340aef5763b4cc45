DROP INDEX `messages_unread_idx`;--> statement-breakpoint
CREATE INDEX `messages_unread_idx` ON `messages` (`to_inbox`,`read_at`,`archived_at`) WHERE read_at IS NULL AND archived_at IS NULL;--> statement-breakpoint
CREATE INDEX `tasks_agent_updated_idx` ON `tasks` (`assigned_agent`,`updated_at`,`id`);