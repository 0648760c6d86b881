CREATE TABLE `learned_wordings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` text NOT NULL,
	`wording` text NOT NULL,
	`status` text NOT NULL,
	`proposed_by` integer NOT NULL,
	`reviewed_by` integer,
	`created_at` integer NOT NULL,
	`reviewed_at` integer
);
--> statement-breakpoint
CREATE INDEX `learned_wordings_status` ON `learned_wordings` (`status`);