-- Which languages a treaty's text is loaded in follows from its provisions. Kept in the record as
-- well, it drifted whenever one dataset rewrote records whose texts another had loaded (a reload
-- of the bundled treaties forgot an imported text), so the provisions are the one place it lives.
ALTER TABLE treaties DROP COLUMN languages;
ALTER TABLE treaties DROP COLUMN text_available;
