CREATE TABLE `bot_send_pace` (
	`bot` text PRIMARY KEY NOT NULL,
	`due` integer NOT NULL,
	`hold_until` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `chat_send_pace` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`due` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_ticks` (
	`job` text NOT NULL,
	`tick` integer NOT NULL,
	`holder` text NOT NULL,
	`claimed_at` integer NOT NULL,
	PRIMARY KEY(`job`, `tick`)
);
--> statement-breakpoint
CREATE TABLE `lane_leases` (
	`lane` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`lease_until` integer NOT NULL
);
