-- Treaty dates as dates, so that rows read them as dates on both backends (SQLite keeps ISO text,
-- which diesel reads as a date there).
ALTER TABLE treaties
    ALTER COLUMN date_signed TYPE DATE USING NULLIF(date_signed, '')::DATE,
    ALTER COLUMN date_in_force TYPE DATE USING NULLIF(date_in_force, '')::DATE,
    ALTER COLUMN date_terminated TYPE DATE USING NULLIF(date_terminated, '')::DATE,
    ALTER COLUMN date_suspended TYPE DATE USING NULLIF(date_suspended, '')::DATE;
