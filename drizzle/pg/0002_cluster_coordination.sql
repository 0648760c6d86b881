CREATE TABLE "bot_send_pace" (
	"bot" text PRIMARY KEY NOT NULL,
	"due" bigint NOT NULL,
	"hold_until" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_send_pace" (
	"chat_id" bigint PRIMARY KEY NOT NULL,
	"due" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_ticks" (
	"job" text NOT NULL,
	"tick" bigint NOT NULL,
	"holder" text NOT NULL,
	"claimed_at" bigint NOT NULL,
	CONSTRAINT "job_ticks_job_tick_pk" PRIMARY KEY("job","tick")
);
--> statement-breakpoint
CREATE TABLE "lane_leases" (
	"lane" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"lease_until" bigint NOT NULL
);
