DROP SCHEMA trilateral_changed CASCADE;
DROP FUNCTION trilateral_not_at();
