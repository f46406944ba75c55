-- States are enums in the code (backend/src/db/states.rs). The database now refuses any other
-- word too, so a row written by hand or by a mistaken release fails where it is written, not
-- later when a worker reads it back. A word no release ever meant is first mapped to the state
-- that retries or shows it: a dead job, a pending step, a never-pushed segment, a failed sync.
-- Reconciling a segment that was never pushed stored an empty state; it is `never`.
UPDATE segment_pushes SET state = 'never' WHERE state = '';
UPDATE jobs SET state = 'dead' WHERE state NOT IN ('queued','running','done','dead');
ALTER TABLE jobs ADD CONSTRAINT jobs_state_known CHECK (state IN ('queued','running','done','dead'));
UPDATE setup_steps SET state = 'pending' WHERE state NOT IN ('pending','running','done','skipped','failed');
ALTER TABLE setup_steps ADD CONSTRAINT setup_steps_state_known CHECK (state IN ('pending','running','done','skipped','failed'));
UPDATE segment_pushes SET state = 'never' WHERE state NOT IN ('never','queued','waiting','running','done','failed');
ALTER TABLE segment_pushes ADD CONSTRAINT segment_pushes_state_known CHECK (state IN ('never','queued','waiting','running','done','failed'));
UPDATE discount_syncs SET state = 'failed' WHERE state NOT IN ('synced','failed');
ALTER TABLE discount_syncs ADD CONSTRAINT discount_syncs_state_known CHECK (state IN ('synced','failed'));
