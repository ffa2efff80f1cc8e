public import Blobs
import Domain
import Telemetry
import Foundation
public import Logging
public import Publishing
public import Store

/// Publishes an approved variant (`publish` jobs, queued by the approval at the variant's `scheduled_for`)
/// through the one backend its account is bound to, exactly once.
///
/// Before the backend is called, an attempt is recorded as started in its own committed transaction, and the
/// outcome is recorded in the transaction that moves the variant. A job that finds a started attempt with no
/// outcome (its daemon died between the call and the record) never posts blindly: it asks the backend through
/// the flow's lookup, and where there is none it marks the variant for an operator's check.
public struct PublishHandler: JobHandler {
    public let kind = ApprovalRepository.publishJobKind
    let pool: PostgresPool
    let queue: JobQueue
    let blobs: any BlobStore
    /// The configured backends by channel (`mcp`, `device`); a channel missing here fails its variants.
    let channels: [String: any PublishChannel]
    /// How long a paused account's publishes wait before looking again.
    let pausedRecheck: Duration
    /// Resolves an account's `vault_ref` into its credential.
    let secrets: any SecretProvider

    public init(
        pool: PostgresPool,
        queue: JobQueue,
        blobs: any BlobStore,
        channels: [any PublishChannel],
        secrets: any SecretProvider = EnvironmentSecretProvider(),
        pausedRecheck: Duration = .seconds(60)
    ) {
        self.pool = pool
        self.queue = queue
        self.blobs = blobs
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.secrets = secrets
        self.pausedRecheck = pausedRecheck
    }

    enum Step {
        case nothing(String)
        case later(Date, String)
        case publish(PublishRepository.Target, key: String)
        case reconcile(PublishRepository.Target, staleKey: String)
    }

    public func handle(_ job: JobQueue.ClaimedJob, logger: Logger) async throws {
        guard let text = job.payload["content_queue_id"], let id = UUID(uuidString: text) else {
            throw PermanentJobError("the job names no variant")
        }
        let key = "\(id.uuidString.lowercased()):\(job.id):\(job.attempt)"
        let repository = PublishRepository()
        let step: Step = try await pool.withTransaction { connection in
            try queue.fence(jobID: job.id, attempt: job.attempt, on: connection)
            guard let target = try repository.target(queueID: id, on: connection) else { return .nothing("the variant is gone") }
            // Rejected or pulled back to approval since: the job has nothing left to do.
            guard target.state == .approved || target.state == .queued else { return .nothing("the variant is \(target.state.rawValue)") }
            guard !target.needsCheck else { return .nothing("the variant waits for an operator's check") }
            if let at = target.scheduledFor, at.timeIntervalSinceNow > 0.05 { return .later(at, "scheduled") }
            guard target.accountStatus == "active" else {
                return .later(Date().addingTimeInterval(Double(pausedRecheck.components.seconds)), "the account is \(target.accountStatus): \(target.pausedReason ?? "")")
            }
            if let hold = try repository.cadenceHold(target, on: connection) { return .later(hold.until, hold.reason) }
            guard channels[target.channel] != nil else {
                let reason = Self.missingChannel(target)
                try repository.markFailed(target, reason: reason, on: connection)
                return .nothing(reason)
            }
            if let stale = try repository.openAttempt(queueID: id, on: connection) { return .reconcile(target, staleKey: stale) }
            try repository.startAttempt(target, key: key, on: connection)
            return .publish(target, key: key)
        }
        switch step {
        case .nothing(let why):
            logger.info("nothing to publish", metadata: ["content_queue_id": "\(id)", "why": "\(why)"])
        case .later(let date, let why):
            throw JobNotYet(until: date, why)
        case .reconcile(let target, let stale):
            try await reconcile(target, staleKey: stale, newKey: key, job: job, logger: logger)
        case .publish(let target, let key):
            try await publish(target, key: key, job: job, logger: logger)
        }
    }

    static func missingChannel(_ target: PublishRepository.Target) -> String {
        let why = target.channel == "device" ? "DEVICE_HUB_URL is not set" : "MCP_SERVER_URL is not set"
        return "no \(target.channel) backend is configured for \(target.platform) @\(target.handle) (\(why)); "
            + "an account publishes through its own channel only"
    }

    func request(_ target: PublishRepository.Target, key: String) async throws -> PublishRequest {
        var media: [String] = []
        if let asset = target.assetPath {
            if channels[target.channel]?.takesMediaURLs == true, let presigning = blobs as? any BlobPresigning {
                media.append(try presigning.presignedURL(for: asset, expires: .seconds(6 * 3600)).absoluteString)
            } else {
                media.append(try await blobs.localFile(for: asset).path)
            }
        }
        return PublishRequest(
            variantID: target.queueID,
            platform: target.platform,
            handle: target.handle,
            vaultRef: target.vaultRef,
            caption: target.caption,
            hashtags: target.hashtags,
            media: media,
            attemptKey: key,
            credential: try target.vaultRef.map(secrets.credential(for:))
        )
    }

    func publish(_ target: PublishRepository.Target, key: String, job: JobQueue.ClaimedJob, logger: Logger) async throws {
        guard let channel = channels[target.channel] else { return }
        let repository = PublishRepository()
        do {
            let receipt = try await channel.publish(try await request(target, key: key))
            try await pool.withTransaction { connection in
                try repository.finishAttempt(key: key, outcome: "published", postID: receipt.postID, on: connection)
                try repository.markPublished(target, postID: receipt.postID, url: receipt.url, on: connection)
            }
            DaemonMetrics.published(channel: target.channel, outcome: .published)
            logger.info("published", metadata: ["content_queue_id": "\(target.queueID)", "post_id": "\(receipt.postID)"])
        } catch let error as PublishError {
            try await settle(target, key: key, error: error, logger: logger)
        } catch let failure as PublishStepFailure {
            try await settle(target, key: key, error: failure.error, evidence: await evidence(failure, target: target, logger: logger), logger: logger)
        }
    }

    /// Keeps a failing step's screenshot as a blob of the talent's, for the run page.
    func evidence(_ failure: PublishStepFailure, target: PublishRepository.Target, logger: Logger) async -> (step: String, screenshot: String?) {
        guard let png = failure.screenshotPNG else { return (failure.step, nil) }
        do {
            return (failure.step, try await blobs.store(data: png, in: .talent(tenantID: target.tenantID, talentID: target.talentID)).path)
        } catch {
            logger.warning("could not keep the failing step's screenshot", metadata: ["error": "\(error)"])
            return (failure.step, nil)
        }
    }

    /// Records a failed attempt (with a failing step's screenshot). A soft one is thrown again so the job
    /// retries with backoff; a hard one pauses the account and the job waits with its other publishes.
    func settle(
        _ target: PublishRepository.Target,
        key: String,
        error: PublishError,
        evidence: (step: String, screenshot: String?)? = nil,
        logger: Logger
    ) async throws {
        let repository = PublishRepository()
        try await pool.withTransaction { connection in
            func finish(_ outcome: String, _ reason: String) throws {
                try repository.finishAttempt(
                    key: key, outcome: outcome, detail: reason, screenshotPath: evidence?.screenshot, failedStep: evidence?.step, on: connection
                )
            }
            switch error {
            case .soft(let reason):
                try finish("soft_failure", reason)
            case .hard(let reason):
                try finish("hard_failure", reason)
                try repository.pauseAccount(target, reason: reason, on: connection)
            case .cannotReconcile(let reason):
                // The backend may have posted (a device flow that failed after its publishing tap): nothing goes
                // out again until an operator has checked.
                try finish("needs_check", reason)
                try repository.markNeedsCheck(target, reason: reason, on: connection)
            case .failed(let reason), .notConfigured(let reason):
                try finish("failed", reason)
                try repository.markFailed(target, reason: evidence.map { "step \($0.step): \(reason)" } ?? reason, on: connection)
            }
        }
        DaemonMetrics.published(channel: target.channel, outcome: Self.outcome(of: error))
        logger.warning("publish failed", metadata: ["content_queue_id": "\(target.queueID)", "error": "\(error)"])
        switch error {
        case .soft: throw error
        case .hard(let reason):
            throw JobNotYet(until: Date().addingTimeInterval(Double(pausedRecheck.components.seconds)), "the account was paused: \(reason)")
        default: return
        }
    }

    static func outcome(of error: PublishError) -> DaemonMetrics.PublishOutcome {
        switch error {
        case .soft: .softFailure
        case .hard: .hardBlock
        case .cannotReconcile: .needsCheck
        case .failed, .notConfigured: .failed
        }
    }

    /// An earlier attempt's outcome is unknown: ask the backend before posting again.
    func reconcile(_ target: PublishRepository.Target, staleKey: String, newKey: String, job: JobQueue.ClaimedJob, logger: Logger) async throws {
        guard let channel = channels[target.channel] else { return }
        let repository = PublishRepository()
        let found: PublishReceipt?
        do {
            found = try await channel.find(try await request(target, key: staleKey))
        } catch PublishError.cannotReconcile(let why) {
            try await pool.withTransaction { connection in
                try repository.finishAttempt(key: staleKey, outcome: "needs_check", detail: why, on: connection)
                try repository.markNeedsCheck(
                    target,
                    reason: "attempt \(staleKey) started and never recorded its outcome, and \(why): check the platform before publishing again",
                    on: connection
                )
            }
            DaemonMetrics.published(channel: target.channel, outcome: .needsCheck)
            logger.error("publish outcome unknown; an operator must check", metadata: ["content_queue_id": "\(target.queueID)"])
            return
        }
        if let found {
            try await pool.withTransaction { connection in
                try repository.finishAttempt(key: staleKey, outcome: "reconciled", postID: found.postID, on: connection)
                try repository.markPublished(target, postID: found.postID, url: found.url, on: connection)
            }
            DaemonMetrics.published(channel: target.channel, outcome: .reconciled)
            logger.info("an earlier attempt had published", metadata: ["content_queue_id": "\(target.queueID)", "post_id": "\(found.postID)"])
            return
        }
        // The backend shows no such post: the earlier attempt did not post, so this one may.
        try await pool.withTransaction { connection in
            try queue.fence(jobID: job.id, attempt: job.attempt, on: connection)
            try repository.finishAttempt(key: staleKey, outcome: "failed", detail: "not found at the backend; posted again", on: connection)
            try repository.startAttempt(target, key: newKey, on: connection)
        }
        try await publish(target, key: newKey, job: job, logger: logger)
    }

    /// Out of attempts (soft failures all the way): the variant fails with the last error.
    public func jobDied(id: Int64, payload: [String: String], error: String, logger: Logger) async {
        guard let text = payload["content_queue_id"], let queueID = UUID(uuidString: text) else { return }
        do {
            try await pool.withTransaction { connection in
                let repository = PublishRepository()
                guard let target = try repository.target(queueID: queueID, on: connection), target.state == .queued || target.state == .approved else { return }
                if try repository.openAttempt(queueID: queueID, on: connection) != nil {
                    try repository.markNeedsCheck(target, reason: "the publish job died with an attempt in flight: \(error)", on: connection)
                } else {
                    try repository.markFailed(target, reason: "gave up after retries: \(error)", on: connection)
                }
            }
        } catch {
            logger.error("could not record the failed publish", metadata: ["content_queue_id": "\(queueID)", "error": "\(error)"])
        }
    }
}
