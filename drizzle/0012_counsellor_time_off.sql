CREATE TABLE `counsellor_time_off` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`counsellor_id` integer NOT NULL,
	`from_date` text NOT NULL,
	`to_date` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `counsellor_time_off_counsellor` ON `counsellor_time_off` (`counsellor_id`,`to_date`);