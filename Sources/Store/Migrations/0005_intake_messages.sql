-- Every email the intake mailbox held, once: what it was, what became of it, where it was filed.
-- Not tenant-scoped: a refused message may belong to no tenant, and only operators (never the web role) read it.
-- The dedup key is server-assigned: the mailbox, its UIDVALIDITY and the UID; Gmail's X-GM-MSGID when offered.
-- raw_sha256 catches the same bytes delivered twice; message_id (sender-chosen) is only recorded, never trusted.
CREATE TABLE intake_messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    mailbox text NOT NULL,
    uid_validity bigint NOT NULL,
    uid bigint NOT NULL,
    gmail_message_id text UNIQUE,
    raw_sha256 text CHECK (raw_sha256 ~ '^[0-9a-f]{64}$'),  -- NULL only for a message too large to fetch
    raw_path text,
    raw_bytes bigint CHECK (raw_bytes >= 0),
    message_id text,
    sender text,
    subject text,
    outcome text NOT NULL CHECK (outcome IN ('ingested', 'refused', 'duplicate')),
    reason text,
    routing_json jsonb NOT NULL DEFAULT '[]',
    post_request_ids uuid[] NOT NULL DEFAULT '{}',
    duplicate_of uuid REFERENCES intake_messages (id),
    folder text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    filed_at timestamptz,
    UNIQUE (mailbox, uid_validity, uid)
);
CREATE INDEX intake_messages_raw ON intake_messages (raw_sha256);
CREATE INDEX intake_messages_recent ON intake_messages (received_at DESC);
CREATE INDEX intake_messages_outcome ON intake_messages (outcome, received_at DESC);

-- How often reading a message was started: a message that keeps crashing the parser is refused after a few
-- tries instead of taking the poller down forever.
CREATE TABLE intake_attempts (
    mailbox text NOT NULL,
    uid_validity bigint NOT NULL,
    uid bigint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mailbox, uid_validity, uid)
);
