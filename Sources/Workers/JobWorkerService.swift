public import Foundation
public import Logging
public import ServiceLifecycle
public import Store
import Telemetry

/// N workers claiming jobs from PostgreSQL. Idle workers wake on NOTIFY and poll as a fallback; a claimed
/// job's lease is renewed while it runs; on graceful shutdown no new job is claimed, running jobs finish,
/// and a job interrupted by cancellation is released for another daemon.
public struct JobWorkerService: Service {
    /// How many workers run and how they wait.
    public struct Configuration: Sendable {
        /// Concurrent workers (`WORKERS`). Default: the number of cores.
        public var workers: Int
        /// Poll interval when no NOTIFY arrives. Default 2 s.
        public var pollInterval: Duration
        /// How often expired leases on last attempts are buried. Default 10 s.
        public var reapInterval: Duration
        /// Prefix of worker ids recorded on claimed jobs. Default `<host>-<pid>`.
        public var workerIDPrefix: String

        public init(
            workers: Int = ProcessInfo.processInfo.activeProcessorCount,
            pollInterval: Duration = .seconds(2),
            reapInterval: Duration = .seconds(10),
            workerIDPrefix: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        ) {
            self.workers = max(1, workers)
            self.pollInterval = pollInterval
            self.reapInterval = reapInterval
            self.workerIDPrefix = workerIDPrefix
        }
    }

    let queue: JobQueue
    let handlers: [String: any JobHandler]
    /// The job kinds these workers take.
    public var kinds: [String] { handlers.keys.sorted() }
    let configuration: Configuration
    let logger: Logger

    public init(queue: JobQueue, handlers: [any JobHandler], configuration: Configuration = .init(), logger: Logger) {
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let doorbell = Doorbell()
        let stopping = StopFlag()
        let listener = PostgresListener(pool: queue.pool, channel: JobQueue.notificationChannel, logger: logger)
        logger.info("job workers starting", metadata: ["workers": "\(configuration.workers)", "kinds": "\(handlers.keys.sorted())"])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in listener.notifications() {
                        if stopping.isSet { break }
                        doorbell.ring()
                    }
                }
                group.addTask { await reapLoop(stopping: stopping) }
                for index in 0..<configuration.workers {
                    group.addTask { await workerLoop(index: index, doorbell: doorbell, stopping: stopping) }
                }
                // Workers end on shutdown; then stop the listener and the reaper.
                for _ in 0..<(configuration.workers + 2) {
                    await group.next()
                    if stopping.isSet { group.cancelAll() }
                }
            }
        } onGracefulShutdown: {
            stopping.set()
            doorbell.ring()
        }
        logger.info("job workers stopped")
    }

    // MARK: Loops

    private func workerLoop(index: Int, doorbell: Doorbell, stopping: StopFlag) async {
        let workerID = "\(configuration.workerIDPrefix)-\(index)"
        var backoff = Backoff(base: 0.5, cap: 15)
        let kinds = Array(handlers.keys)
        while !stopping.isSet && !Task.isCancelled {
            let job: JobQueue.ClaimedJob?
            do {
                job = try await queue.claim(kinds: kinds, workerID: workerID)
                backoff.reset()
            } catch is CancellationError {
                break
            } catch {
                logger.warning("claiming a job failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(backoff.next()))
                continue
            }
            guard let job else {
                await doorbell.wait(upTo: await idleWait(kinds: kinds))
                continue
            }
            await execute(job)
        }
    }

    /// The poll interval, or less when a pending job falls due sooner (a publish scheduled for 09:00:00).
    private func idleWait(kinds: [String]) async -> Duration {
        let poll = configuration.pollInterval.components
        guard let seconds = try? await queue.secondsUntilNextDue(kinds: kinds), seconds < Double(poll.seconds) + Double(poll.attoseconds) / 1e18 else {
            return configuration.pollInterval
        }
        return .milliseconds(Int64(max(0.005, seconds) * 1000) + 5)
    }

    private func reapLoop(stopping: StopFlag) async {
        while !stopping.isSet && !Task.isCancelled {
            do {
                for dead in try await queue.buryExpired() {
                    logger.error("job died with its worker", metadata: ["job_id": "\(dead.id)", "kind": "\(dead.kind)"])
                    await handlers[dead.kind]?.jobDied(id: dead.id, payload: dead.payload, error: dead.lastError, logger: logger)
                }
            } catch {
                logger.warning("burying expired jobs failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: configuration.reapInterval)
        }
    }

    // MARK: One job

    private enum Ending: Sendable {
        case finished
        case failed(String, permanent: Bool)
        case leaseLost
        case cancelled
        /// Given back to run later (`JobNotYet`), the attempt not counted.
        case postponed(Date)
    }

    /// Runs a claimed job with a lease heartbeat beside it, then records the outcome, fenced by the claim.
    func execute(_ job: JobQueue.ClaimedJob) async {
        var jobLogger = logger
        jobLogger[metadataKey: "job_id"] = "\(job.id)"
        jobLogger[metadataKey: "kind"] = "\(job.kind)"
        jobLogger[metadataKey: "attempt"] = "\(job.attempt)"
        guard let handler = handlers[job.kind] else {
            _ = try? await queue.fail(job, error: "no handler for job kind \(job.kind)", permanent: true)
            return
        }
        let queue = self.queue
        let renewEvery = Duration.seconds(max(0.5, queue.configuration.leaseSeconds / 3))
        let logger = jobLogger
        let started = ContinuousClock.now
        let ending: Ending = await withTaskGroup(of: Ending?.self) { group in
            group.addTask {
                do {
                    try await handler.handle(job, logger: logger)
                    return .finished
                } catch is CancellationError {
                    return .cancelled
                } catch is JobQueue.LeaseLost {
                    return .leaseLost
                } catch let later as JobNotYet {
                    return .postponed(later.date)
                } catch {
                    if Task.isCancelled { return .cancelled }
                    return .failed(String(describing: error), permanent: error is PermanentJobError)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: renewEvery)
                    if Task.isCancelled { return nil }
                    do {
                        if try await !queue.renewLease(job) { return .leaseLost }
                    } catch {
                        logger.warning("renewing the lease failed", metadata: ["error": "\(error)"])
                    }
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .cancelled
        }
        // Recorded in a task of its own: when the service is being cancelled, the pool refuses work from a
        // cancelled task, and the release (or result) must still reach the database.
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        await Task { await record(ending, of: job, handler: handler, seconds: seconds, logger: jobLogger) }.value
    }

    private func record(
        _ ending: Ending,
        of job: JobQueue.ClaimedJob,
        handler: any JobHandler,
        seconds: Double,
        logger jobLogger: Logger
    ) async {
        do {
            let recorded: DaemonMetrics.JobEnding
            switch ending {
            case .finished:
                if try await queue.complete(job) {
                    recorded = .succeeded
                } else {
                    jobLogger.warning("job finished after its lease was lost; another worker owns it now")
                    recorded = .leaseLost
                }
            case .failed(let message, let permanent):
                let outcome = try await queue.fail(job, error: message, permanent: permanent)
                switch outcome {
                case .dead:
                    jobLogger.error("job is dead", metadata: ["error": "\(message)"])
                    await handler.jobDied(id: job.id, payload: job.payload, error: message, logger: jobLogger)
                    recorded = .dead
                case .retryScheduled(let after):
                    jobLogger.warning("job failed; retrying", metadata: ["error": "\(message)", "retry_in_s": "\(Int(after))"])
                    recorded = .retried
                case .leaseLost:
                    jobLogger.warning("job failed after its lease was lost; nothing recorded")
                    recorded = .leaseLost
                }
            case .leaseLost:
                jobLogger.warning("lease lost while running; the job's result was discarded")
                recorded = .leaseLost
            case .cancelled:
                try await queue.release(job)
                jobLogger.info("job released at shutdown")
                recorded = .released
            case .postponed(let date):
                try await queue.postpone(job, until: date)
                jobLogger.info("job postponed", metadata: ["until": "\(date)"])
                recorded = .released
            }
            DaemonMetrics.jobEnded(kind: job.kind, ending: recorded, seconds: seconds)
        } catch {
            jobLogger.error(
                "recording the job's outcome failed; its lease will expire and it will be retried",
                metadata: ["error": "\(error)"]
            )
        }
    }
}
