-- At most one running pipeline run per request: a worker that lost its lease and the worker that
-- rescued the job share the run instead of racing to create two.
UPDATE pipeline_runs SET status = 'failed', error = 'superseded by a newer run', finished_at = now()
WHERE status = 'running' AND id NOT IN (
    SELECT DISTINCT ON (post_request_id) id FROM pipeline_runs WHERE status = 'running'
    ORDER BY post_request_id, started_at DESC);
CREATE UNIQUE INDEX pipeline_runs_one_running ON pipeline_runs (post_request_id) WHERE status = 'running';
