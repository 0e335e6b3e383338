ALTER TABLE treaties DROP COLUMN date_suspended;
