import Foundation
import Metrics
import Prometheus
public import Store

/// The text `GET /metrics` answers: this process's registry (its own stage, job, email and HTTP
/// metrics), then the cluster's open work read from PostgreSQL.
///
/// A database that cannot answer does not fail the scrape: `drsocial_database_up` says 0 and the
/// process's own metrics are still shown.
public struct MetricsExporter: Sendable {
    let pool: PostgresPool
    let jobKinds: [String]

    /// - Parameter jobKinds: the job kinds this daemon handles (their series exist even at zero).
    public init(pool: PostgresPool, jobKinds: [String]) {
        self.pool = pool
        self.jobKinds = jobKinds.sorted()
    }

    /// Points swift-metrics at the process's registry, for the libraries that report through it
    /// (Hummingbird's request metrics). Call once, at the start of `serve`.
    public static func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: DaemonMetrics.registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (sanitized(name), labels.map { (sanitized($0.0), $0.1) })
        }
        factory.defaultDurationHistogramBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60].map {
            .microseconds(Int64($0 * 1_000_000))
        }
        MetricsSystem.bootstrap(factory)
    }

    /// Prometheus names and label names: letters, digits and underscores (`hb.requests` → `hb_requests`).
    static func sanitized(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
    }

    /// The whole exposition, in Prometheus's text format.
    public func render() async -> String {
        var text = DaemonMetrics.registry.emitToString()
        var cluster = PrometheusText()
        let started = ContinuousClock.now
        let snapshot = try? await pool.withConnection { try ClusterStateRepository().snapshot(on: $0) }
        cluster.family("drsocial_database_up", .gauge, help: "Whether the shared PostgreSQL answered this scrape (1) or not (0).")
        cluster.sample("drsocial_database_up", value: snapshot == nil ? 0 : 1)
        cluster.family("drsocial_cluster_scrape_duration_seconds", .gauge, help: "Time the cluster queries of this scrape took.")
        let elapsed = ContinuousClock.now - started
        cluster.sample(
            "drsocial_cluster_scrape_duration_seconds",
            value: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        )
        if let snapshot { ClusterGauges.render(snapshot, jobKinds: jobKinds, into: &cluster) }
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        return text + cluster.text
    }
}
