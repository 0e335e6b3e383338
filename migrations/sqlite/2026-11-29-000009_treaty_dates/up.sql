-- Treaty dates as dates. SQLite keeps them as ISO text, which diesel reads as a date; a stored
-- value that is not a date would fail every read, so none may stay.
UPDATE treaties SET date_signed = NULL WHERE date_signed = '';
UPDATE treaties SET date_in_force = NULL WHERE date_in_force = '';
UPDATE treaties SET date_terminated = NULL WHERE date_terminated = '';
UPDATE treaties SET date_suspended = NULL WHERE date_suspended = '';
