-- Back to ISO text, written with to_char so that the session's DateStyle cannot change it, and
-- the trade column with the "C" collation it was created with.
ALTER TABLE observations
    ALTER COLUMN period_start TYPE TEXT USING to_char(period_start, 'YYYY-MM-DD'),
    ALTER COLUMN period_end TYPE TEXT USING to_char(period_end, 'YYYY-MM-DD');
ALTER TABLE trade_flows
    ALTER COLUMN period_start TYPE TEXT COLLATE "C" USING to_char(period_start, 'YYYY-MM-DD');
