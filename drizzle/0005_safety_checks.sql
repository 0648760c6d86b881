CREATE TABLE `safety_checks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `safety_checks_created_at` ON `safety_checks` (`created_at`);