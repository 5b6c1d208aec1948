-- Votes, exclusions and the audit log are append-only: the database itself refuses UPDATE and DELETE.
CREATE FUNCTION prefer_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$
;;
CREATE TRIGGER votes_append_only BEFORE UPDATE OR DELETE ON votes FOR EACH ROW EXECUTE FUNCTION prefer_append_only()
;;
CREATE TRIGGER exclusions_append_only BEFORE UPDATE OR DELETE ON exclusions FOR EACH ROW EXECUTE FUNCTION prefer_append_only()
;;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION prefer_append_only()
;;
