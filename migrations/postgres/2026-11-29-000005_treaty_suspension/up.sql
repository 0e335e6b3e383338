-- A treaty can be suspended rather than terminated (the Canada-U.S. FTA while both are parties to
-- NAFTA and its successor): its own date, so that the status can be derived from the dates.
ALTER TABLE treaties ADD COLUMN date_suspended TEXT;
