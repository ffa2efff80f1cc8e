-- /metrics counts open work at every scrape; these keep that to the open rows, however long the history.
CREATE INDEX post_requests_open ON post_requests (status) WHERE status IN ('received', 'analyzing', 'drafting');
CREATE INDEX content_queue_open ON content_queue (state) WHERE state IN ('draft', 'awaiting_owner_approval', 'approved', 'queued', 'failed');
