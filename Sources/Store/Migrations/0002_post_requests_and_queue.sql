CREATE TABLE post_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    talent_id uuid NOT NULL,
    source text NOT NULL CHECK (source IN ('browser', 'email', 'operator')),
    prompt_text text,                       -- empty: drafts come from the talent's pillars
    target_account_ids uuid[] NOT NULL DEFAULT '{}',
    schedule_hint text,
    sender_email text,                      -- for source = 'email'
    subject text,                           -- for source = 'email'
    gmail_message_id text UNIQUE,           -- X-GM-MSGID when the server offers it
    intake_key text UNIQUE,                 -- server-assigned dedup key (mailbox, UIDVALIDITY, UID) or a caller's idempotency key
    raw_message_path text,                  -- the raw email, for replay
    status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'analyzing', 'drafting', 'complete', 'failed')),
    failure_reason text,
    notes_json jsonb NOT NULL DEFAULT '[]',  -- what intake left out and why
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, talent_id) REFERENCES talents (tenant_id, id)
);
SELECT drsocial_scope_to_tenant('post_requests');
CREATE INDEX post_requests_recent ON post_requests (tenant_id, created_at DESC);

-- An array cannot carry a foreign key: this trigger makes the database refuse targets that are not
-- accounts of the request's own talent (and so of its tenant).
CREATE OR REPLACE FUNCTION post_requests_check_targets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    foreign_count integer;
BEGIN
    SELECT count(*) INTO foreign_count
    FROM unnest(NEW.target_account_ids) AS target(id)
    WHERE NOT EXISTS (
        SELECT 1 FROM accounts a
        WHERE a.id = target.id AND a.tenant_id = NEW.tenant_id AND a.talent_id = NEW.talent_id);
    IF foreign_count > 0 THEN
        RAISE EXCEPTION 'target accounts must belong to the request''s talent' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$ SECURITY DEFINER;
CREATE TRIGGER post_requests_targets BEFORE INSERT OR UPDATE OF target_account_ids, talent_id, tenant_id ON post_requests
    FOR EACH ROW EXECUTE FUNCTION post_requests_check_targets();

CREATE TABLE post_request_attachments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    post_request_id uuid NOT NULL,
    position integer NOT NULL DEFAULT 0,
    filename text NOT NULL,
    storage_path text NOT NULL,
    mime text NOT NULL,
    bytes bigint NOT NULL CHECK (bytes >= 0),
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    role text NOT NULL DEFAULT 'media' CHECK (role IN ('media', 'voice_memo')),
    duration_s double precision,
    analysis_json jsonb NOT NULL DEFAULT '{}',
    transcript_text text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, post_request_id) REFERENCES post_requests (tenant_id, id) ON DELETE CASCADE
);
SELECT drsocial_scope_to_tenant('post_request_attachments');
CREATE INDEX post_request_attachments_request ON post_request_attachments (post_request_id, position);

CREATE TABLE content (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    talent_id uuid NOT NULL,
    hash text NOT NULL,
    type text NOT NULL CHECK (type IN ('text', 'image', 'video', 'reel')),
    asset_url text,
    caption text NOT NULL,
    hashtags text[] NOT NULL DEFAULT '{}',
    generated_by text NOT NULL,
    moderated boolean NOT NULL DEFAULT false,
    moderation_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, talent_id) REFERENCES talents (tenant_id, id)
);
SELECT drsocial_scope_to_tenant('content');

CREATE TABLE content_queue (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    talent_id uuid NOT NULL,
    account_id uuid NOT NULL,
    content_id uuid NOT NULL,
    origin text NOT NULL CHECK (origin IN ('ai_initiated', 'request_browser', 'request_email', 'request_operator')),
    post_request_id uuid,
    scheduled_for timestamptz,
    state text NOT NULL DEFAULT 'draft' CHECK (state IN
        ('draft', 'awaiting_owner_approval', 'approved', 'rejected', 'queued', 'published', 'failed')),
    approved_by_user_id uuid,
    approved_at timestamptz,
    rejected_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    CHECK ((origin = 'ai_initiated') = (post_request_id IS NULL)),
    -- One variant per target account per request, however often the pipeline is retried.
    UNIQUE (post_request_id, account_id),
    FOREIGN KEY (tenant_id, talent_id) REFERENCES talents (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, content_id) REFERENCES content (tenant_id, id),
    FOREIGN KEY (tenant_id, post_request_id) REFERENCES post_requests (tenant_id, id)
);
SELECT drsocial_scope_to_tenant('content_queue');
CREATE INDEX content_queue_talent_state ON content_queue (tenant_id, talent_id, state);

CREATE TABLE events (
    id bigserial PRIMARY KEY,
    tenant_id uuid REFERENCES tenants (id),  -- NULL for events no tenant owns (refused mail)
    ts timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,
    talent_id uuid,
    account_id uuid,
    post_request_id uuid,
    payload_json jsonb NOT NULL DEFAULT '{}',
    FOREIGN KEY (tenant_id, talent_id) REFERENCES talents (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, post_request_id) REFERENCES post_requests (tenant_id, id) ON DELETE CASCADE
);
SELECT drsocial_scope_to_tenant('events');
CREATE INDEX events_recent ON events (ts DESC);
CREATE INDEX events_kind ON events (kind, ts DESC);
