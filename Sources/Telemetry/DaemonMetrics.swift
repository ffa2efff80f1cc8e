public import Prometheus

/// What this daemon process did, counted in its own Prometheus registry and shown by `GET /metrics`.
///
/// Each daemon counts only its own work; add the series of all daemons up in Prometheus (`sum by (stage)`).
/// What is true of the whole cluster (queue depth, dead jobs) comes from PostgreSQL instead, at scrape
/// time: see `ClusterGauges`.
///
/// ```swift
/// DaemonMetrics.stageFinished("ocr", outcome: .failed, seconds: 0.8)
/// DaemonMetrics.emailFiled(.ingested)
/// ```
public enum DaemonMetrics {
    /// The process's registry: the one swift-metrics reports into once `MetricsExporter.bootstrap()` ran
    /// (HTTP request metrics), and the one these helpers record into directly.
    public static var registry: PrometheusCollectorRegistry { PrometheusMetricsFactory.defaultRegistry }

    /// How a stage run or a job ended.
    public enum Outcome: String, Sendable {
        case succeeded, failed
    }

    /// How a job's claim ended, as recorded in the queue.
    public enum JobEnding: String, Sendable {
        /// Completed.
        case succeeded
        /// Failed and scheduled again with backoff.
        case retried
        /// Failed for the last time (or permanently): the job is dead.
        case dead
        /// Given back at shutdown, its attempt not counted.
        case released
        /// Another worker owned the job by the time it ended; nothing was recorded.
        case leaseLost = "lease_lost"
    }

    /// What became of one email taken from the intake mailbox.
    public enum EmailOutcome: String, Sendable {
        case ingested, refused, duplicate
        /// Already recorded; only moved to its folder (a daemon died between the commit and the move).
        case refiled
    }

    /// How one publish attempt ended.
    public enum PublishOutcome: String, Sendable {
        case published, reconciled
        case softFailure = "soft_failure"
        case hardBlock = "hard_block"
        case failed
        case needsCheck = "needs_check"
    }

    // MARK: Recording

    /// One publish attempt's outcome, by channel.
    public static func published(channel: String, outcome: PublishOutcome) {
        registry.makeCounter(descriptor: publishes, labels: [("channel", channel), ("outcome", outcome.rawValue)]).increment()
    }

    /// A stage run whose end is committed to `stage_runs`.
    public static func stageFinished(_ stage: String, outcome: Outcome, seconds: Double) {
        registry.makeDurationHistogram(
            descriptor: stageDuration,
            labels: [("stage", stage), ("outcome", outcome.rawValue)],
            buckets: stageBuckets
        ).record(.nanoseconds(Int64((max(0, seconds) * 1e9).rounded())))
    }

    /// A job claim that ended, with how long the handler ran.
    public static func jobEnded(kind: String, ending: JobEnding, seconds: Double) {
        registry.makeCounter(descriptor: jobsEnded, labels: [("kind", kind), ("ending", ending.rawValue)]).increment()
        registry.makeDurationHistogram(descriptor: jobDuration, labels: [("kind", kind)], buckets: stageBuckets)
            .record(.nanoseconds(Int64((max(0, seconds) * 1e9).rounded())))
    }

    /// An email filed into its folder.
    public static func emailFiled(_ outcome: EmailOutcome) {
        registry.makeCounter(descriptor: emails, labels: [("outcome", outcome.rawValue)]).increment()
    }

    /// One poll of the intake mailbox, successful or not.
    public static func mailPolled(succeeded: Bool, at secondsSince1970: Double) {
        if succeeded {
            registry.makeGauge(descriptor: lastPoll).set(secondsSince1970)
        } else {
            registry.makeCounter(descriptor: pollFailures).increment()
        }
    }

    /// One call to the LLM router, retries included: its latency and the tokens it used.
    public static func modelCall(purpose: String, model: String, outcome: String, seconds: Double, inputTokens: Int, outputTokens: Int) {
        let labels = [("purpose", purpose), ("model", model), ("outcome", outcome)]
        registry.makeCounter(descriptor: modelCalls, labels: labels).increment()
        registry.makeDurationHistogram(descriptor: modelCallDuration, labels: [("purpose", purpose), ("outcome", outcome)], buckets: stageBuckets)
            .record(.nanoseconds(Int64((max(0, seconds) * 1e9).rounded())))
        if inputTokens > 0 {
            registry.makeCounter(descriptor: modelTokens, labels: [("purpose", purpose), ("model", model), ("direction", "input")])
                .increment(by: Int64(inputTokens))
        }
        if outputTokens > 0 {
            registry.makeCounter(descriptor: modelTokens, labels: [("purpose", purpose), ("model", model), ("direction", "output")])
                .increment(by: Int64(outputTokens))
        }
    }

    // MARK: Names (computed: the descriptor type is not Sendable)

    private static func named(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "drsocial", metricName: name, unitName: unit, helpText: help)
    }

    /// From 50 ms (a draft) to 10 min (a long reel on a busy machine).
    static let stageBuckets: [Duration] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600].map {
        .milliseconds(Int64($0 * 1000))
    }
    static var stageDuration: MetricNameDescriptor {
        named("stage_duration", "seconds", "Pipeline stage runs finished by this daemon, by stage and outcome.")
    }
    static var jobsEnded: MetricNameDescriptor {
        named("jobs_ended", "total", "Job claims this daemon ended, by kind and how they ended.")
    }
    static var jobDuration: MetricNameDescriptor {
        named("job_duration", "seconds", "Time this daemon's workers spent on each job claim, by kind.")
    }
    static var emails: MetricNameDescriptor {
        named("emails_filed", "total", "Emails this daemon took from the intake mailbox and filed, by outcome.")
    }
    static var lastPoll: MetricNameDescriptor {
        named("mail_last_successful_poll", "timestamp_seconds", "When this daemon last polled the intake mailbox without an error (Unix time).")
    }
    static var publishes: MetricNameDescriptor {
        named("publishes", "total", "Publish attempts by channel and outcome (published, reconciled, soft_failure, hard_block, failed, needs_check).")
    }
    static var modelCalls: MetricNameDescriptor {
        named("llm_calls", "total", "Calls this daemon made to the LLM router, by purpose, model and outcome (retries inside one call not counted).")
    }
    static var modelCallDuration: MetricNameDescriptor {
        named("llm_call_duration", "seconds", "Time of each LLM router call, retries and their waits included, by purpose and outcome.")
    }
    static var modelTokens: MetricNameDescriptor {
        named("llm_tokens", "total", "Tokens the LLM router counted for this daemon's calls, by purpose, model and direction (input, output).")
    }
    static var pollFailures: MetricNameDescriptor {
        named("mail_poll_failures", "total", "Polls of the intake mailbox that failed (IMAP or database errors), retried with backoff.")
    }
}
