-- States are enums in the code (backend/src/db/states.rs). SQLite cannot add a CHECK to an
-- existing column, so triggers refuse any other word on insert and update, as PostgreSQL's
-- constraints do. A word no release ever meant is first mapped to the state that retries or
-- shows it: a dead job, a pending step, a never-pushed segment, a failed sync. Reconciling a
-- segment that was never pushed stored an empty state; it is `never`.
UPDATE segment_pushes SET state = 'never' WHERE state = '';
UPDATE jobs SET state = 'dead' WHERE state NOT IN ('queued','running','done','dead');
CREATE TRIGGER jobs_state_known_insert BEFORE INSERT ON jobs
WHEN NEW.state NOT IN ('queued','running','done','dead')
BEGIN SELECT RAISE(ABORT, 'jobs.state must be one of queued, running, done, dead'); END;
CREATE TRIGGER jobs_state_known_update BEFORE UPDATE OF state ON jobs
WHEN NEW.state NOT IN ('queued','running','done','dead')
BEGIN SELECT RAISE(ABORT, 'jobs.state must be one of queued, running, done, dead'); END;
UPDATE setup_steps SET state = 'pending' WHERE state NOT IN ('pending','running','done','skipped','failed');
CREATE TRIGGER setup_steps_state_known_insert BEFORE INSERT ON setup_steps
WHEN NEW.state NOT IN ('pending','running','done','skipped','failed')
BEGIN SELECT RAISE(ABORT, 'setup_steps.state must be one of pending, running, done, skipped, failed'); END;
CREATE TRIGGER setup_steps_state_known_update BEFORE UPDATE OF state ON setup_steps
WHEN NEW.state NOT IN ('pending','running','done','skipped','failed')
BEGIN SELECT RAISE(ABORT, 'setup_steps.state must be one of pending, running, done, skipped, failed'); END;
UPDATE segment_pushes SET state = 'never' WHERE state NOT IN ('never','queued','waiting','running','done','failed');
CREATE TRIGGER segment_pushes_state_known_insert BEFORE INSERT ON segment_pushes
WHEN NEW.state NOT IN ('never','queued','waiting','running','done','failed')
BEGIN SELECT RAISE(ABORT, 'segment_pushes.state must be one of never, queued, waiting, running, done, failed'); END;
CREATE TRIGGER segment_pushes_state_known_update BEFORE UPDATE OF state ON segment_pushes
WHEN NEW.state NOT IN ('never','queued','waiting','running','done','failed')
BEGIN SELECT RAISE(ABORT, 'segment_pushes.state must be one of never, queued, waiting, running, done, failed'); END;
UPDATE discount_syncs SET state = 'failed' WHERE state NOT IN ('synced','failed');
CREATE TRIGGER discount_syncs_state_known_insert BEFORE INSERT ON discount_syncs
WHEN NEW.state NOT IN ('synced','failed')
BEGIN SELECT RAISE(ABORT, 'discount_syncs.state must be one of synced, failed'); END;
CREATE TRIGGER discount_syncs_state_known_update BEFORE UPDATE OF state ON discount_syncs
WHEN NEW.state NOT IN ('synced','failed')
BEGIN SELECT RAISE(ABORT, 'discount_syncs.state must be one of synced, failed'); END;
