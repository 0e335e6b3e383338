-- Back to ISO text, written with to_char so that the session's DateStyle cannot change it.
ALTER TABLE treaties
    ALTER COLUMN date_signed TYPE TEXT USING to_char(date_signed, 'YYYY-MM-DD'),
    ALTER COLUMN date_in_force TYPE TEXT USING to_char(date_in_force, 'YYYY-MM-DD'),
    ALTER COLUMN date_terminated TYPE TEXT USING to_char(date_terminated, 'YYYY-MM-DD'),
    ALTER COLUMN date_suspended TYPE TEXT USING to_char(date_suspended, 'YYYY-MM-DD');
