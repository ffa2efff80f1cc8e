import Foundation
public import Intake
public import Logging
public import ServiceLifecycle
public import Store
import Telemetry

/// Polls the intake mailbox every `interval`, on one daemon at a time: the one holding a PostgreSQL
/// advisory lock. When that daemon dies its session ends, and another daemon's next tick takes over.
/// Failures (the IMAP server down, a database restart) are logged and retried with backoff.
public struct MailPollerService: Service {
    let intake: MailIntake
    let lock: SessionAdvisoryLock
    let interval: Duration
    let logger: Logger

    public init(intake: MailIntake, pool: PostgresPool, interval: Duration, logger: Logger) {
        self.intake = intake
        self.lock = SessionAdvisoryLock(pool: pool, name: "drsocial.mail-poller:\(intake.configuration.mailbox)")
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var backoff = Backoff(base: 1, cap: 300)
        var foldersReady = false
        var wasLeader = false
        logger.info(
            "mail poller starting",
            metadata: [
                "mailbox": "\(intake.configuration.mailbox)", "domain": "\(intake.configuration.intakeDomain)",
            ]
        )
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var pause = interval
            do {
                if try await lock.holdOrTake() {
                    if !wasLeader { logger.info("this daemon polls the intake mailbox") }
                    wasLeader = true
                    if !foldersReady {
                        try await intake.prepareFolders()
                        foldersReady = true
                    }
                    let report = try await intake.pollOnce()
                    DaemonMetrics.mailPolled(succeeded: true, at: Date().timeIntervalSince1970)
                    if report.seen > 0 {
                        logger.info(
                            "mail taken in",
                            metadata: [
                                "ingested": "\(report.ingested)", "refused": "\(report.refused)",
                                "duplicates": "\(report.duplicates)", "refiled": "\(report.refiled)",
                            ]
                        )
                    }
                    backoff.reset()
                    pause = Self.pause(after: report, batchSize: intake.configuration.batchSize, interval: interval)
                } else {
                    if wasLeader { logger.info("another daemon polls the intake mailbox now") }
                    wasLeader = false
                }
            } catch is CancellationError {
                break
            } catch {
                DaemonMetrics.mailPolled(succeeded: false, at: Date().timeIntervalSince1970)
                let wait = backoff.next()
                logger.warning(
                    "polling the intake mailbox failed; retrying",
                    metadata: [
                        "error": "\(error)", "retry_in_s": "\(Int(wait.rounded(.up)))",
                    ]
                )
                pause = .milliseconds(Int(wait * 1000))
            }
            let sleep = pause
            if sleep > .zero { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: sleep) } }
        }
        lock.release()
        logger.info("mail poller stopped")
    }

    /// How long to wait after a poll that succeeded. A full batch means more is waiting, and mail that came in
    /// a burst tends to keep coming while a poll takes it in: go again at once until a poll finds nothing new.
    /// A message that was only refiled (its move keeps failing) does not count, so it cannot keep the loop busy.
    static func pause(after report: MailIntake.PollReport, batchSize: Int, interval: Duration) -> Duration {
        report.seen >= batchSize || report.recorded > 0 ? .zero : interval
    }
}
