ALTER TABLE observations
    ALTER COLUMN period_start TYPE TEXT USING period_start::TEXT,
    ALTER COLUMN period_end TYPE TEXT USING period_end::TEXT;
ALTER TABLE trade_flows
    ALTER COLUMN period_start TYPE TEXT USING period_start::TEXT;
