CREATE TABLE `appointments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chat_id` integer NOT NULL,
	`counsellor_id` integer NOT NULL,
	`topic` text NOT NULL,
	`site` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`for_whom` text NOT NULL,
	`family_name_enc` text,
	`phone_enc` text,
	`locale` text NOT NULL,
	`status` text NOT NULL,
	`flag` text,
	`rescheduled_from` integer,
	`confirmed_at` integer,
	`marked_by` integer,
	`marked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `appointments_counsellor_slot` ON `appointments` (`counsellor_id`,`starts_at`) WHERE status in ('booked', 'attended', 'no_show');--> statement-breakpoint
CREATE INDEX `appointments_chat_status` ON `appointments` (`chat_id`,`status`,`starts_at`);--> statement-breakpoint
CREATE INDEX `appointments_status_starts` ON `appointments` (`status`,`starts_at`);--> statement-breakpoint
CREATE TABLE `counsellor_hours` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`counsellor_id` integer NOT NULL,
	`site` text NOT NULL,
	`weekday` integer NOT NULL,
	`start_minute` integer NOT NULL,
	`end_minute` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `counsellor_hours_counsellor` ON `counsellor_hours` (`counsellor_id`);--> statement-breakpoint
CREATE TABLE `counsellors` (
	`telegram_user_id` integer PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`sites` text NOT NULL,
	`topics` text NOT NULL,
	`slot_minutes` integer NOT NULL,
	`active` integer NOT NULL,
	`demo` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
