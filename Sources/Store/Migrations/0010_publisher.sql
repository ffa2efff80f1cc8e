-- The publisher: approved variants reach each account's one bound backend, exactly once.

-- The database refuses a move the state machine does not allow (ContentQueueState.allowedNext), whoever
-- asks: draft → awaiting_owner_approval | rejected; awaiting_owner_approval → approved | rejected;
-- approved → queued | awaiting_owner_approval; queued → published | failed; failed → queued.
CREATE OR REPLACE FUNCTION content_queue_legal_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IS DISTINCT FROM OLD.state AND NOT (
        (OLD.state = 'draft' AND NEW.state IN ('awaiting_owner_approval', 'rejected'))
        OR (OLD.state = 'awaiting_owner_approval' AND NEW.state IN ('approved', 'rejected'))
        OR (OLD.state = 'approved' AND NEW.state IN ('queued', 'awaiting_owner_approval'))
        OR (OLD.state = 'queued' AND NEW.state IN ('published', 'failed'))
        OR (OLD.state = 'failed' AND NEW.state = 'queued')
    ) THEN
        RAISE EXCEPTION 'a variant that is % cannot become %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER content_queue_legal_move BEFORE UPDATE OF state ON content_queue
    FOR EACH ROW EXECUTE FUNCTION content_queue_legal_move();

-- What publishing left on the variant.
ALTER TABLE content_queue ADD COLUMN external_post_id text;
ALTER TABLE content_queue ADD COLUMN external_url text;
ALTER TABLE content_queue ADD COLUMN published_at timestamptz;
ALTER TABLE content_queue ADD COLUMN publish_error text;
-- A publish whose outcome is unknown (the daemon died between the backend's answer and its commit) and that
-- could not be reconciled: an operator checks the platform before anything is posted again.
ALTER TABLE content_queue ADD COLUMN needs_check boolean NOT NULL DEFAULT false;

-- Why an account is paused (a hard block from its backend: revoked authorisation, a restriction).
ALTER TABLE accounts ADD COLUMN paused_reason text;

-- Every call to a backend, recorded as started before the call and finished in the transaction that moves the
-- variant: a started attempt with no outcome is one whose result nobody knows.
CREATE TABLE publish_attempts (
    id bigserial PRIMARY KEY,
    tenant_id uuid NOT NULL,
    content_queue_id uuid NOT NULL,
    attempt_key text NOT NULL UNIQUE,
    channel text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome text CHECK (outcome IN ('published', 'soft_failure', 'hard_failure', 'failed', 'reconciled', 'needs_check')),
    external_post_id text,
    detail text,
    FOREIGN KEY (tenant_id, content_queue_id) REFERENCES content_queue (tenant_id, id)
);
SELECT drsocial_scope_to_tenant('publish_attempts');
CREATE INDEX publish_attempts_open ON publish_attempts (content_queue_id) WHERE outcome IS NULL;
