CREATE TABLE `article_feedback` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chat_id` integer NOT NULL,
	`article_id` text NOT NULL,
	`vote` text NOT NULL,
	`question_id` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `article_feedback_article` ON `article_feedback` (`article_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `questions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`chat_id` integer NOT NULL,
	`text_enc` text,
	`locale` text NOT NULL,
	`answered_with` text,
	`score_milli` integer NOT NULL,
	`vote` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `questions_created_at` ON `questions` (`created_at`);