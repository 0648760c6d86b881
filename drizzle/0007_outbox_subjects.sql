ALTER TABLE `outbox` ADD `subject_kind` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `subject_id` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `subject_rung` integer;--> statement-breakpoint
CREATE INDEX `outbox_subject` ON `outbox` (`subject_kind`,`subject_id`);--> statement-breakpoint
-- Rows queued before this migration named their subject only inside the dedupe key (alert:<case>:<round>,
-- case:<case>:..., reminder:<appointment>:<minutes>); they get the same subject a new row would have.
UPDATE `outbox` SET `subject_kind` = substr(`dedupe_key`, 1, instr(`dedupe_key`, ':') - 1),
  `subject_id` = CAST(substr(`dedupe_key`, instr(`dedupe_key`, ':') + 1, instr(substr(`dedupe_key`, instr(`dedupe_key`, ':') + 1), ':') - 1) AS INTEGER)
  WHERE `dedupe_key` LIKE 'alert:%:%' OR `dedupe_key` LIKE 'case:%:%' OR `dedupe_key` LIKE 'reminder:%:%';--> statement-breakpoint
UPDATE `outbox` SET `subject_rung` = CAST(substr(`dedupe_key`, length('reminder:' || `subject_id` || ':') + 1) AS INTEGER)
  WHERE `subject_kind` = 'reminder';--> statement-breakpoint
UPDATE `outbox` SET `subject_rung` = CAST(substr(`dedupe_key`, length('alert:' || `subject_id` || ':') + 1) AS INTEGER)
  WHERE `subject_kind` = 'alert';
