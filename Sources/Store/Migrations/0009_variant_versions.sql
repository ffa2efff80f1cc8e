-- Rejection regenerates: a rejected variant stays (with its reason) and a new version for the same account and
-- request is drafted under the same post idea, up to three times. One open (not rejected) version per account
-- and request; every version keeps its number and the one it replaces.
ALTER TABLE content_queue ADD COLUMN version int NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE content_queue ADD COLUMN replaces_id uuid REFERENCES content_queue (id);
ALTER TABLE content_queue DROP CONSTRAINT content_queue_post_request_id_account_id_key;
CREATE UNIQUE INDEX content_queue_one_version ON content_queue (post_request_id, account_id, version);
CREATE UNIQUE INDEX content_queue_one_open_version ON content_queue (post_request_id, account_id) WHERE state <> 'rejected';

-- A regeneration is a rerun of drafting for some of the request's accounts only.
ALTER TABLE pipeline_runs ADD COLUMN target_account_ids uuid[];
