import Store

/// The cluster's open work as Prometheus gauges, from one `ClusterStateRepository` snapshot.
///
/// Every daemon shows the same figures (they come from the shared database): take `max` of them across
/// instances, not `sum`. Each series is written even when its count is zero, so an alert such as
/// `drsocial_jobs{status="dead"} > 0` has a series to read from the first scrape on.
enum ClusterGauges {
    /// - Parameter jobKinds: the kinds this daemon handles; each gets every status, zero when absent.
    static func render(_ snapshot: ClusterStateRepository.Snapshot, jobKinds: [String], into text: inout PrometheusText) {
        text.family("drsocial_jobs", .gauge, help: "Jobs in the shared queue by kind and status (pending, running, dead).")
        var counts: [String: [String: Int]] = [:]
        for kind in jobKinds { counts[kind] = [:] }
        for job in snapshot.jobs { counts[job.kind, default: [:]][job.status] = job.count }
        for kind in counts.keys.sorted() {
            for status in ClusterStateRepository.jobStatuses {
                text.sample("drsocial_jobs", ["kind": kind, "status": status], value: Double(counts[kind]?[status] ?? 0))
            }
        }

        text.family(
            "drsocial_jobs_oldest_due_age_seconds",
            .gauge,
            help: "How long the oldest job that is due has waited for a worker, by kind (0: none waiting)."
        )
        for kind in counts.keys.sorted() {
            text.sample("drsocial_jobs_oldest_due_age_seconds", ["kind": kind], value: snapshot.oldestDueSeconds[kind] ?? 0)
        }

        text.family("drsocial_post_requests_open", .gauge, help: "Post requests not yet complete or failed, by status.")
        for status in ClusterStateRepository.openRequestStatuses {
            text.sample("drsocial_post_requests_open", ["status": status], value: Double(snapshot.openRequests[status] ?? 0))
        }

        text.family(
            "drsocial_content_queue_open",
            .gauge,
            help: "Variants in the shared approval queue that are not final, by state."
        )
        for state in ClusterStateRepository.openVariantStates {
            text.sample("drsocial_content_queue_open", ["state": state], value: Double(snapshot.openVariants[state] ?? 0))
        }

        text.family("drsocial_accounts_paused", .gauge, help: "Accounts paused by a hard block or an operator; their publishes wait.")
        text.sample("drsocial_accounts_paused", [:], value: Double(snapshot.pausedAccounts))
        text.family(
            "drsocial_publishes_needing_check",
            .gauge,
            help: "Publishes whose outcome is unknown (a daemon died mid-call, no lookup settled it): an operator must check the platform."
        )
        text.sample("drsocial_publishes_needing_check", [:], value: Double(snapshot.publishesNeedingCheck))
    }
}
