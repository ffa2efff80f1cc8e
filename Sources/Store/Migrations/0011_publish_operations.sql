-- Operating the publisher: the screenshot a failing device step left, and what an operator settled.

-- A failing step of a device flow leaves a screenshot (a blob path) on its attempt; the run page shows it.
ALTER TABLE publish_attempts ADD COLUMN screenshot_path text;
ALTER TABLE publish_attempts ADD COLUMN failed_step text;

-- An operator who checked the platform settles an attempt nobody knew the outcome of: it did post
-- (`operator_published`, with the post id they found) or it did not (`not_posted`, and it may go again).
ALTER TABLE publish_attempts DROP CONSTRAINT publish_attempts_outcome_check;
ALTER TABLE publish_attempts ADD CONSTRAINT publish_attempts_outcome_check CHECK (outcome IN (
    'published', 'soft_failure', 'hard_failure', 'failed', 'reconciled', 'needs_check', 'operator_published', 'not_posted'
));

-- Posting cap and spacing are read from accounts.posting_schedule_json ({"max_per_day": n, "min_gap_minutes": m})
-- when a publish is claimed, from the account's attempts of the last day.
ALTER TABLE publish_attempts ADD COLUMN account_id uuid;
UPDATE publish_attempts a SET account_id = q.account_id FROM content_queue q WHERE q.id = a.content_queue_id;
CREATE INDEX publish_attempts_by_account ON publish_attempts (account_id, started_at);
