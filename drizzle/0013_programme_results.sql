CREATE TABLE `group_activities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`date` text NOT NULL,
	`khan` text NOT NULL,
	`sangkat` text,
	`kind` text NOT NULL,
	`organisation` text NOT NULL,
	`place` text NOT NULL,
	`participants` text NOT NULL,
	`first_time` integer NOT NULL,
	`recorded_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	`withdrawn_at` integer
);
--> statement-breakpoint
CREATE INDEX `group_activities_date` ON `group_activities` (`date`);--> statement-breakpoint
CREATE TABLE `needs_answered` (
	`chat_hash` text NOT NULL,
	`quarter` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `needs_answered_pk` ON `needs_answered` (`chat_hash`,`quarter`);--> statement-breakpoint
CREATE TABLE `needs_responses` (
	`id` integer PRIMARY KEY NOT NULL,
	`date` text NOT NULL,
	`khan` text NOT NULL,
	`sangkat` text,
	`need1` text NOT NULL,
	`need2` text,
	`need3` text,
	`meeting` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `needs_responses_date` ON `needs_responses` (`date`);