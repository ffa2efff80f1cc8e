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
        count(publishes, [("channel", channel), ("outcome", outcome.rawValue)])
    }

    /// A stage run whose end is committed to `stage_runs`.
    public static func stageFinished(_ stage: String, outcome: Outcome, seconds: Double) {
        time(stageDuration, [("stage", stage), ("outcome", outcome.rawValue)], seconds: seconds)
    }

    /// A job claim that ended, with how long the handler ran.
    public static func jobEnded(kind: String, ending: JobEnding, seconds: Double) {
        count(jobsEnded, [("kind", kind), ("ending", ending.rawValue)])
        time(jobDuration, [("kind", kind)], seconds: seconds)
    }

    /// An email filed into its folder.
    public static func emailFiled(_ outcome: EmailOutcome) {
        count(emails, [("outcome", outcome.rawValue)])
    }

    /// One poll of the intake mailbox, successful or not.
    public static func mailPolled(succeeded: Bool, at secondsSince1970: Double) {
        if succeeded {
            registry.makeGauge(descriptor: lastPoll.descriptor).set(secondsSince1970)
        } else {
            count(pollFailures, [])
        }
    }

    /// One call to the LLM router, retries included: its latency and the tokens it used.
    public static func modelCall(purpose: String, model: String, outcome: String, seconds: Double, inputTokens: Int, outputTokens: Int) {
        count(modelCalls, [("purpose", purpose), ("model", model), ("outcome", outcome)])
        time(modelCallDuration, [("purpose", purpose), ("outcome", outcome)], seconds: seconds)
        for (direction, tokens) in [("input", inputTokens), ("output", outputTokens)] where tokens > 0 {
            count(modelTokens, [("purpose", purpose), ("model", model), ("direction", direction)], by: tokens)
        }
    }

    /// Adds `amount` to the counter `name` with these labels.
    private static func count(_ name: Name, _ labels: [(String, String)], by amount: Int = 1) {
        registry.makeCounter(descriptor: name.descriptor, labels: labels).increment(by: Int64(amount))
    }

    /// Records `seconds` (negative ones as 0) in the duration histogram `name` with these labels.
    private static func time(_ name: Name, _ labels: [(String, String)], seconds: Double) {
        registry.makeDurationHistogram(descriptor: name.descriptor, labels: labels, buckets: stageBuckets)
            .record(.nanoseconds(Int64((max(0, seconds) * 1e9).rounded())))
    }

    // MARK: Names

    /// A metric's name, unit and help text, kept as a value: `MetricNameDescriptor` is not Sendable.
    struct Name: Sendable {
        let metric: String
        let unit: String
        let help: String

        init(_ metric: String, _ unit: String, _ help: String) {
            self.metric = metric
            self.unit = unit
            self.help = help
        }

        var descriptor: MetricNameDescriptor {
            MetricNameDescriptor(namespace: "drsocial", metricName: metric, unitName: unit, helpText: help)
        }
    }

    /// From 50 ms (a draft) to 10 min (a long reel on a busy machine).
    static let stageBuckets: [Duration] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600].map {
        .milliseconds(Int64($0 * 1000))
    }
    static let stageDuration = Name("stage_duration", "seconds", "Pipeline stage runs finished by this daemon, by stage and outcome.")
    static let jobsEnded = Name("jobs_ended", "total", "Job claims this daemon ended, by kind and how they ended.")
    static let jobDuration = Name("job_duration", "seconds", "Time this daemon's workers spent on each job claim, by kind.")
    static let emails = Name("emails_filed", "total", "Emails this daemon took from the intake mailbox and filed, by outcome.")
    static let lastPoll = Name(
        "mail_last_successful_poll",
        "timestamp_seconds",
        "When this daemon last polled the intake mailbox without an error (Unix time)."
    )
    static let publishes = Name(
        "publishes",
        "total",
        "Publish attempts by channel and outcome (published, reconciled, soft_failure, hard_block, failed, needs_check)."
    )
    static let modelCalls = Name(
        "llm_calls",
        "total",
        "Calls this daemon made to the LLM router, by purpose, model and outcome (retries inside one call not counted)."
    )
    static let modelCallDuration = Name(
        "llm_call_duration",
        "seconds",
        "Time of each LLM router call, retries and their waits included, by purpose and outcome."
    )
    static let modelTokens = Name(
        "llm_tokens",
        "total",
        "Tokens the LLM router counted for this daemon's calls, by purpose, model and direction (input, output)."
    )
    static let pollFailures = Name(
        "mail_poll_failures",
        "total",
        "Polls of the intake mailbox that failed (IMAP or database errors), retried with backoff."
    )
}
