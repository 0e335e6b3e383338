-- What each dataset and source measures and who reports it: the basis (exports f.a.s. or
-- domestic, general imports or for consumption, price base year, vintage), and for trade
-- datasets whether each row's reporter is the country whose statistics give the value.
ALTER TABLE datasets ADD COLUMN basis TEXT NOT NULL DEFAULT '';
ALTER TABLE datasets ADD COLUMN reporting TEXT NOT NULL DEFAULT 'not_applicable';
ALTER TABLE sources ADD COLUMN basis TEXT NOT NULL DEFAULT '';
