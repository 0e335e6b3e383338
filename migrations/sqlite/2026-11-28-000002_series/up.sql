-- Time series (wages, exchange rates, prices) and their observations. Every observation covers
-- the inclusive day range [period_start, period_end]; dates are ISO 8601 text so that both
-- backends compare them the same way. `note` says where a value comes from; `caveat` is what a
-- user of the value must know, and is repeated in the warnings of every answer that uses it.

CREATE TABLE series (
    id                TEXT PRIMARY KEY,
    dataset_id        TEXT NOT NULL,
    topic             TEXT NOT NULL CHECK (topic IN ('wages', 'fx', 'prices')),
    country           TEXT,
    region            TEXT,
    measure           TEXT NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL,
    unit              TEXT NOT NULL,
    currency          TEXT,
    base_currency     TEXT,
    per               TEXT,
    price_basis       TEXT NOT NULL CHECK (price_basis IN ('nominal', 'constant_ppp', 'constant_dollars', 'index', 'rate', 'percent')),
    frequency         TEXT NOT NULL CHECK (frequency IN ('event', 'daily', 'monthly', 'annual')),
    time_basis        TEXT NOT NULL,
    headline          BOOLEAN NOT NULL,
    source_id         TEXT NOT NULL REFERENCES sources (id),
    first_period      TEXT NOT NULL,
    last_period       TEXT NOT NULL,
    latest_period     TEXT,
    latest_start      TEXT,
    latest_value      DOUBLE PRECISION,
    observation_count BIGINT NOT NULL
);

CREATE INDEX series_country_idx ON series (country, topic, measure, id);
CREATE INDEX series_topic_idx ON series (topic, measure, id);

CREATE TABLE observations (
    series_id    TEXT NOT NULL REFERENCES series (id),
    period       TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    value        DOUBLE PRECISION,
    source_id    TEXT NOT NULL REFERENCES sources (id),
    note         TEXT,
    caveat       TEXT,
    PRIMARY KEY (series_id, period)
);

CREATE INDEX observations_series_start_idx ON observations (series_id, period_start);
