CREATE TABLE `chat_messages` (
	`chat_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`from_bot` integer NOT NULL,
	`sent_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_messages_pk` ON `chat_messages` (`chat_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `chat_messages_sent_at` ON `chat_messages` (`sent_at`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`flow` text NOT NULL,
	`node` text NOT NULL,
	`step` integer NOT NULL,
	`stack` text NOT NULL,
	`vars_enc` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `inbox` (
	`update_id` integer PRIMARY KEY NOT NULL,
	`lane` text NOT NULL,
	`payload_enc` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`next_attempt_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`done_at` integer
);
--> statement-breakpoint
CREATE INDEX `inbox_status_lane` ON `inbox` (`status`,`lane`,`update_id`);--> statement-breakpoint
CREATE INDEX `inbox_done_at` ON `inbox` (`done_at`);--> statement-breakpoint
CREATE TABLE `interactions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chat_id` integer NOT NULL,
	`direction` text NOT NULL,
	`kind` text NOT NULL,
	`flow` text,
	`node` text,
	`text_enc` text,
	`update_id` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `interactions_created_at` ON `interactions` (`created_at`);--> statement-breakpoint
CREATE INDEX `interactions_chat` ON `interactions` (`chat_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dedupe_key` text NOT NULL,
	`chat_id` integer NOT NULL,
	`purpose` text NOT NULL,
	`method` text NOT NULL,
	`payload_enc` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`not_before` integer NOT NULL,
	`last_error` text,
	`telegram_message_id` integer,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe_key` ON `outbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`not_before`);--> statement-breakpoint
CREATE INDEX `outbox_chat` ON `outbox` (`chat_id`,`id`);--> statement-breakpoint
CREATE TABLE `users` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`telegram_user_id` integer,
	`locale` text,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`blocked_at` integer
);
