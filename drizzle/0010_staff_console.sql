CREATE TABLE `case_notes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`referral_id` integer NOT NULL,
	`staff_id` integer NOT NULL,
	`text_enc` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `case_notes_referral` ON `case_notes` (`referral_id`,`at`);--> statement-breakpoint
CREATE TABLE `case_outcomes` (
	`referral_id` integer PRIMARY KEY NOT NULL,
	`outcome` text NOT NULL,
	`service_id` text,
	`staff_id` integer,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `console_logins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`staff_id` integer NOT NULL,
	`state` text NOT NULL,
	`browser_hash` text,
	`browser` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_logins_token_hash_unique` ON `console_logins` (`token_hash`);--> statement-breakpoint
CREATE TABLE `console_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`staff_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `console_sessions_token_hash_unique` ON `console_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `console_sessions_staff` ON `console_sessions` (`staff_id`);