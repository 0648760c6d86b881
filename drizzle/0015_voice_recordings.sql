CREATE TABLE `shipped_voice_uploads` (
	`bot_key` text NOT NULL,
	`sha256` text NOT NULL,
	`file_id` text NOT NULL,
	`uploaded_at` integer NOT NULL,
	PRIMARY KEY(`bot_key`, `sha256`)
);
--> statement-breakpoint
CREATE TABLE `voice_drafts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`bot_key` text NOT NULL,
	`staff_id` integer NOT NULL,
	`file_id` text NOT NULL,
	`duration` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `voice_drafts_staff` ON `voice_drafts` (`staff_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `voice_recordings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`target` text NOT NULL,
	`bot_key` text NOT NULL,
	`file_id` text NOT NULL,
	`duration` integer NOT NULL,
	`speaker` text NOT NULL,
	`recorded_on` text NOT NULL,
	`added_by` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `voice_recordings_target_bot` ON `voice_recordings` (`target`,`bot_key`);