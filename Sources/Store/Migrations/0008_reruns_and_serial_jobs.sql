-- Re-running a stage: a pipeline run may wait its turn ('queued') and names the stages it runs again; every
-- other stage is copied from the latest earlier run as 'skipped', pointing at the run that produced it.
ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_status_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_status_check
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed'));
ALTER TABLE pipeline_runs ADD COLUMN rerun_stages text[];
ALTER TABLE pipeline_runs ADD COLUMN requested_by text;
ALTER TABLE pipeline_runs ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX pipeline_runs_queued ON pipeline_runs (post_request_id, created_at) WHERE status = 'queued';

ALTER TABLE stage_runs ADD COLUMN reused_from uuid REFERENCES stage_runs (id) ON DELETE SET NULL;

-- Jobs with the same serial key run one at a time (a request's pipeline runs, first or rerun): the claim skips
-- a job whose key is held by a running job, and this index refuses the rare claim that races past that check.
ALTER TABLE jobs ADD COLUMN serial_key text;
CREATE UNIQUE INDEX jobs_one_running_per_serial_key ON jobs (serial_key) WHERE status = 'running';
UPDATE jobs SET serial_key = 'post_request:' || lower(payload_json ->> 'post_request_id')
WHERE kind = 'post_request.pipeline' AND status IN ('pending', 'dead') AND payload_json ? 'post_request_id';
