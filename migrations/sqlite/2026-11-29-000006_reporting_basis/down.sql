ALTER TABLE sources DROP COLUMN basis;
ALTER TABLE datasets DROP COLUMN reporting;
ALTER TABLE datasets DROP COLUMN basis;
