-- Leases lost by a job: claims that ended with the lease expiring (the worker's daemon died or lost the
-- database) rather than with the worker recording success or failure. Below the queue's limit a lost lease
-- does not use up one of the job's attempts (JobQueue.Configuration.lostLeaseLimit).
ALTER TABLE jobs ADD COLUMN lost_leases integer NOT NULL DEFAULT 0;
