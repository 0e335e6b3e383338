-- Nothing to undo: the columns stay TEXT on SQLite.
SELECT 1;
