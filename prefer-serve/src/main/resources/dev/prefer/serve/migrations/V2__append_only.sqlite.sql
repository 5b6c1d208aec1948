-- Votes, exclusions and the audit log are append-only: the database itself refuses UPDATE and DELETE.
CREATE TRIGGER votes_no_update BEFORE UPDATE ON votes BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END
;;
CREATE TRIGGER votes_no_delete BEFORE DELETE ON votes BEGIN SELECT RAISE(ABORT, 'votes are append-only'); END
;;
CREATE TRIGGER exclusions_no_update BEFORE UPDATE ON exclusions BEGIN SELECT RAISE(ABORT, 'exclusions are append-only'); END
;;
CREATE TRIGGER exclusions_no_delete BEFORE DELETE ON exclusions BEGIN SELECT RAISE(ABORT, 'exclusions are append-only'); END
;;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
;;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
;;
