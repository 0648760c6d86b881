CREATE TABLE `inbox_floods` (
	`lane` text PRIMARY KEY NOT NULL,
	`dropped` integer NOT NULL,
	`first_dropped_at` integer NOT NULL,
	`last_dropped_at` integer NOT NULL,
	`notified_at` integer
);
