CREATE TABLE `case_links` (
	`chat_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`referral_id` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `case_links_pk` ON `case_links` (`chat_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `case_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`referral_id` integer NOT NULL,
	`direction` text NOT NULL,
	`staff_id` integer NOT NULL,
	`kind` text NOT NULL,
	`text_enc` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `case_messages_referral` ON `case_messages` (`referral_id`,`at`);--> statement-breakpoint
CREATE TABLE `referral_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`referral_id` integer NOT NULL,
	`status` text NOT NULL,
	`actor` integer,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `referral_events_referral` ON `referral_events` (`referral_id`);--> statement-breakpoint
CREATE TABLE `referrals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chat_id` integer NOT NULL,
	`category` text NOT NULL,
	`urgency` text NOT NULL,
	`district` text,
	`consent_version` text NOT NULL,
	`consent_at` integer NOT NULL,
	`contact_enc` text,
	`status` text NOT NULL,
	`assigned_to` integer,
	`created_at` integer NOT NULL,
	`claimed_at` integer,
	`conversation_at` integer,
	`closed_at` integer,
	`updated_at` integer NOT NULL,
	`escalations` integer DEFAULT 0 NOT NULL,
	`next_escalation_at` integer
);
--> statement-breakpoint
CREATE INDEX `referrals_status_escalation` ON `referrals` (`status`,`next_escalation_at`);--> statement-breakpoint
CREATE INDEX `referrals_chat_status` ON `referrals` (`chat_id`,`status`);--> statement-breakpoint
CREATE TABLE `staff_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`telegram_user_id` integer NOT NULL,
	`action` text NOT NULL,
	`referral_id` integer,
	`allowed` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `staff_audit_at` ON `staff_audit` (`at`);--> statement-breakpoint
CREATE TABLE `staff_invites` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code_hash` text NOT NULL,
	`role` text NOT NULL,
	`created_by` integer,
	`expires_at` integer NOT NULL,
	`used_by` integer,
	`used_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_invites_code_hash_unique` ON `staff_invites` (`code_hash`);--> statement-breakpoint
CREATE TABLE `staff_members` (
	`telegram_user_id` integer PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`display_name` text NOT NULL,
	`active` integer NOT NULL,
	`active_referral_id` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `users` ADD `district` text;