-- The first and last days of observations and trade periods as dates. SQLite keeps them as ISO
-- text (YYYY-MM-DD, which the importers always wrote), which diesel reads as a date: nothing to
-- change in the file.
SELECT 1;
