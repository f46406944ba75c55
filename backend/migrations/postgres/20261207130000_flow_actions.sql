-- Flow action runs Seglink has carried out, by Flow's `action_run_id`: Flow sends a run again
-- when it did not get a 200 in time, and a repeat must not do the work twice.
CREATE TABLE flow_action_runs (
    shop          TEXT   NOT NULL,
    action_run_id TEXT   NOT NULL,
    handle        TEXT   NOT NULL,
    at            BIGINT NOT NULL,
    PRIMARY KEY (shop, action_run_id)
);
