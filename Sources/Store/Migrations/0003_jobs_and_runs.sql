CREATE TABLE jobs (
    id bigserial PRIMARY KEY,
    tenant_id uuid REFERENCES tenants (id),
    account_id uuid,
    kind text NOT NULL,
    payload_json jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'dead')),
    priority integer NOT NULL DEFAULT 0,
    run_after timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,        -- claims so far; also the fencing token of the current claim
    max_attempts integer NOT NULL DEFAULT 8 CHECK (max_attempts > 0),
    lease_owner text,
    lease_expires_at timestamptz,
    last_error text,
    idempotency_key text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
SELECT drsocial_scope_to_tenant('jobs');
CREATE INDEX jobs_ready ON jobs (priority DESC, run_after, id) WHERE status = 'pending';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_dead ON jobs (updated_at DESC) WHERE status = 'dead';

-- Wake idle workers on every new or retried job; polling covers a missed notification.
CREATE OR REPLACE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('drsocial_jobs', NEW.kind);
    RETURN NULL;
END $$;
CREATE TRIGGER jobs_notify_insert AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_notify();
CREATE TRIGGER jobs_notify_retry AFTER UPDATE OF status ON jobs FOR EACH ROW
    WHEN (NEW.status = 'pending' AND OLD.status IS DISTINCT FROM 'pending') EXECUTE FUNCTION jobs_notify();

CREATE TABLE pipeline_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    post_request_id uuid NOT NULL,
    pipeline text NOT NULL,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    error text,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, post_request_id) REFERENCES post_requests (tenant_id, id) ON DELETE CASCADE
);
SELECT drsocial_scope_to_tenant('pipeline_runs');
CREATE INDEX pipeline_runs_request ON pipeline_runs (post_request_id, started_at DESC);
CREATE INDEX pipeline_runs_recent ON pipeline_runs (started_at DESC);

CREATE TABLE stage_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    pipeline_run_id uuid NOT NULL,
    stage text NOT NULL,
    position integer NOT NULL,
    attachment_id uuid,                        -- set for per-attachment stages
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
    attempts integer NOT NULL DEFAULT 1,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    duration_ms double precision,
    error text,
    summary text,
    output_json jsonb,
    UNIQUE NULLS NOT DISTINCT (pipeline_run_id, stage, attachment_id),
    FOREIGN KEY (tenant_id, pipeline_run_id) REFERENCES pipeline_runs (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, attachment_id) REFERENCES post_request_attachments (tenant_id, id) ON DELETE CASCADE
);
SELECT drsocial_scope_to_tenant('stage_runs');
