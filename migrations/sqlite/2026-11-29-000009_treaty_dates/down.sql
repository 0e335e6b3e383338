-- Nothing to undo: the column type stays TEXT on SQLite.
SELECT 1;
