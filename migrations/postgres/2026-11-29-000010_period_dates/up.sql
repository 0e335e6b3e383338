-- The first and last days of observations and trade periods as dates, so that rows read them as
-- dates on both backends (SQLite keeps ISO text, which diesel reads as a date there).
ALTER TABLE observations
    ALTER COLUMN period_start TYPE DATE USING period_start::DATE,
    ALTER COLUMN period_end TYPE DATE USING period_end::DATE;
ALTER TABLE trade_flows
    ALTER COLUMN period_start TYPE DATE USING period_start::DATE;
