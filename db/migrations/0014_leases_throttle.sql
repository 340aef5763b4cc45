-- Issue #21, several server replicas on one database: leases decide which replica runs the sweeper,
-- the mirror, run launches and webhooks (docs/plans/postgresql.md §4.3); runs.launched_by says which
-- replica launched a run; auth_throttle keeps the sign-in throttles every replica shares (§4.4).
CREATE TABLE `auth_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`reset_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`token` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `launched_by` text;