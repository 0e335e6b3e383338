ALTER TABLE treaties
    ALTER COLUMN date_signed TYPE TEXT USING date_signed::TEXT,
    ALTER COLUMN date_in_force TYPE TEXT USING date_in_force::TEXT,
    ALTER COLUMN date_terminated TYPE TEXT USING date_terminated::TEXT,
    ALTER COLUMN date_suspended TYPE TEXT USING date_suspended::TEXT;
