CREATE TABLE `case_media` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chat_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`kind` text NOT NULL,
	`duration` integer,
	`referral_id` integer,
	`created_at` integer NOT NULL,
	`relayed_at` integer
);
--> statement-breakpoint
CREATE INDEX `case_media_chat` ON `case_media` (`chat_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `case_media_referral` ON `case_media` (`referral_id`);