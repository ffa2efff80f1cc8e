public import Foundation

/// What operators see: requests, their runs, stages, attachments and variants.
public struct OpsQueries: Sendable {
    public init() {}

    /// One line of the runs list.
    public struct RunSummary: Sendable, Codable, Equatable {
        public let requestID: UUID
        public let tenantID: UUID
        public let talentSlug: String
        public let source: String
        public let status: String
        public let prompt: String?
        public let createdAt: Date
        public let processedAt: Date?
        public let durationSeconds: Double?
        public let attachmentCount: Int
        public let variantCount: Int
    }

    /// A stage run as operators see it.
    public struct StageView: Sendable, Codable, Equatable {
        public let stage: String
        public let attachmentID: UUID?
        public let status: String
        public let attempts: Int
        public let startedAt: Date
        public let durationMs: Double?
        public let summary: String?
        public let error: String?
        /// For a stage a rerun reused (`skipped`): the run whose output it reused.
        public let reusedFromRun: UUID?
    }

    /// One pipeline run of a request: the first, or a rerun.
    public struct PipelineRunView: Sendable, Codable, Equatable {
        public let id: UUID
        public let status: String
        public let startedAt: Date
        public let finishedAt: Date?
        /// The stages a rerun runs again; nil for a first run.
        public let rerunStages: [String]?
        public let requestedBy: String?
        public let error: String?
    }

    /// An attachment as operators see it.
    public struct AttachmentView: Sendable, Codable, Equatable {
        public let id: UUID
        public let filename: String
        public let mime: String
        public let bytes: Int64
        public let sha256: String
        public let role: String
        public let durationSeconds: Double?
        public let analysisJSON: String
    }

    /// The blob path of an attachment's keyframe (`image` or `thumbnail`), as the keyframes stage stored it.
    public func keyframeBlob(attachmentID: UUID, index: Int, thumbnail: Bool, on connection: PostgresConnection) throws -> String? {
        try connection.query(
            "SELECT analysis_json #>> ARRAY['keyframes', 'keyframes', $2::text, $3::text] AS path FROM post_request_attachments WHERE id = $1",
            [attachmentID, String(index), thumbnail ? "thumbnail" : "image"]
        ).first?.decodeIfPresent("path")
    }

    /// A variant in the approval queue.
    public struct VariantView: Sendable, Codable, Equatable {
        public let queueID: UUID
        public let platform: String
        public let handle: String
        public let state: String
        public let caption: String
        public let hashtags: [String]
        public let origin: String
        /// `text`, `image`, `video` or `reel`.
        public let type: String
        /// Where the variant's media is (a composed reel's blob path, or the attachment's).
        public let assetPath: String?
        /// What publishing left: the platform's post id and URL, the last error, whether an operator must check.
        public let externalPostID: String?
        public let externalURL: String?
        public let publishError: String?
        public let needsCheck: Bool
        /// Every call to the backend for this variant, oldest first.
        public let attempts: [PublishAttemptView]
    }

    /// One call to a publishing backend and how it ended (nil while unknown).
    public struct PublishAttemptView: Sendable, Codable, Equatable {
        public let id: Int64
        public let channel: String
        public let startedAt: Date
        public let outcome: String?
        public let detail: String?
        public let externalPostID: String?
        /// The failing device step, and whether its screenshot was kept (`/ops/publish-attempts/:id/screenshot`).
        public let failedStep: String?
        public let hasScreenshot: Bool
    }

    /// An event tied to the request (blocked variants, intake notes).
    public struct EventView: Sendable, Codable, Equatable {
        public let kind: String
        public let at: Date
        public let payloadJSON: String
    }

    /// Everything about one request.
    public struct RunDetail: Sendable, Codable, Equatable {
        public let summary: RunSummary
        public let senderEmail: String?
        public let subject: String?
        public let failureReason: String?
        public let notes: [String]
        public let pipelineStatus: String?
        /// The run the stages belong to: the running one, else the latest that started.
        public let runID: UUID?
        /// Every run of the request, newest first (queued reruns included).
        public let runs: [PipelineRunView]
        public let stages: [StageView]
        public let attachments: [AttachmentView]
        public let variants: [VariantView]
        public let events: [EventView]
    }

    /// A job operators should know about (dead, or still retrying).
    public struct JobView: Sendable, Codable, Equatable {
        public let id: Int64
        public let kind: String
        public let status: String
        public let attempts: Int
        public let maxAttempts: Int
        public let lastError: String?
        public let updatedAt: Date
    }

    private static let summarySelect = """
        SELECT r.id, r.tenant_id, t.slug, r.source, r.status, r.prompt_text, r.created_at, r.processed_at,
               extract(epoch FROM (coalesce(r.processed_at, now()) - r.created_at))::float8 AS duration_s,
               (SELECT count(*) FROM post_request_attachments a WHERE a.post_request_id = r.id) AS attachment_count,
               (SELECT count(*) FROM content_queue q WHERE q.post_request_id = r.id) AS variant_count
        FROM post_requests r JOIN talents t ON t.id = r.talent_id
        """

    /// The most recent requests, newest first.
    public func recentRuns(limit: Int = 50, on connection: PostgresConnection) throws -> [RunSummary] {
        try connection.query(Self.summarySelect + " ORDER BY r.created_at DESC LIMIT $1", [limit]).rows.map(Self.decodeSummary)
    }

    /// One request with its stages, attachments, variants and events, or nil.
    public func run(requestID: UUID, on connection: PostgresConnection) throws -> RunDetail? {
        guard let row = try connection.query(Self.summarySelect + " WHERE r.id = $1", [requestID]).first else { return nil }
        let summary = try Self.decodeSummary(row)
        let extra = try connection.query(
            "SELECT sender_email, subject, failure_reason, notes_json FROM post_requests WHERE id = $1",
            [requestID]
        ).first!
        let runs = try connection.query(
            """
            SELECT id, status, started_at, finished_at, rerun_stages, requested_by, error FROM pipeline_runs
            WHERE post_request_id = $1 ORDER BY status = 'queued' DESC, started_at DESC
            """,
            [requestID]
        ).rows.map { row in
            PipelineRunView(
                id: try row.decode("id"),
                status: try row.decode("status"),
                startedAt: try row.decode("started_at"),
                finishedAt: try row.decodeIfPresent("finished_at"),
                rerunStages: try row.decodeIfPresent("rerun_stages"),
                requestedBy: try row.decodeIfPresent("requested_by"),
                error: try row.decodeIfPresent("error")
            )
        }
        let run = runs.first { $0.status == "running" } ?? runs.filter { $0.status != "queued" }.max { $0.startedAt < $1.startedAt }
        var stages: [StageView] = []
        if let runID = run?.id {
            stages = try connection.query(
                """
                SELECT s.stage, s.attachment_id, s.status, s.attempts, s.started_at, s.duration_ms, s.summary, s.error,
                       o.pipeline_run_id AS reused_run
                FROM stage_runs s LEFT JOIN stage_runs o ON o.id = s.reused_from
                WHERE s.pipeline_run_id = $1 ORDER BY s.position, s.started_at
                """,
                [runID]
            ).rows.map { row in
                StageView(
                    stage: try row.decode("stage"),
                    attachmentID: try row.decodeIfPresent("attachment_id"),
                    status: try row.decode("status"),
                    attempts: try row.decode("attempts"),
                    startedAt: try row.decode("started_at"),
                    durationMs: try row.decodeIfPresent("duration_ms"),
                    summary: try row.decodeIfPresent("summary"),
                    error: try row.decodeIfPresent("error"),
                    reusedFromRun: try row.decodeIfPresent("reused_run")
                )
            }
        }
        let attachments = try connection.query(
            """
            SELECT id, filename, mime, bytes, sha256, role, duration_s, analysis_json::text AS analysis
            FROM post_request_attachments WHERE post_request_id = $1 ORDER BY position
            """,
            [requestID]
        ).rows.map { row in
            AttachmentView(
                id: try row.decode("id"),
                filename: try row.decode("filename"),
                mime: try row.decode("mime"),
                bytes: try row.decode("bytes"),
                sha256: try row.decode("sha256"),
                role: try row.decode("role"),
                durationSeconds: try row.decodeIfPresent("duration_s"),
                analysisJSON: try row.decode("analysis")
            )
        }
        let variants = try connection.query(
            """
            SELECT q.id, a.platform, a.handle, q.state, c.caption, c.hashtags, q.origin, c.type, c.asset_url,
                   q.external_post_id, q.external_url, q.publish_error, q.needs_check
            FROM content_queue q JOIN accounts a ON a.id = q.account_id JOIN content c ON c.id = q.content_id
            WHERE q.post_request_id = $1 ORDER BY a.platform, q.version
            """,
            [requestID]
        ).rows.map { row in
            let id: UUID = try row.decode("id")
            return VariantView(
                queueID: id,
                platform: try row.decode("platform"),
                handle: try row.decode("handle"),
                state: try row.decode("state"),
                caption: try row.decode("caption"),
                hashtags: try row.decode("hashtags"),
                origin: try row.decode("origin"),
                type: try row.decode("type"),
                assetPath: try row.decodeIfPresent("asset_url"),
                externalPostID: try row.decodeIfPresent("external_post_id"),
                externalURL: try row.decodeIfPresent("external_url"),
                publishError: try row.decodeIfPresent("publish_error"),
                needsCheck: try row.decode("needs_check"),
                attempts: try publishAttempts(queueID: id, on: connection)
            )
        }
        let events = try connection.query(
            "SELECT kind, ts, payload_json::text AS payload FROM events WHERE post_request_id = $1 ORDER BY ts",
            [requestID]
        ).rows.map { row in
            EventView(kind: try row.decode("kind"), at: try row.decode("ts"), payloadJSON: try row.decode("payload"))
        }
        return RunDetail(
            summary: summary,
            senderEmail: try extra.decodeIfPresent("sender_email"),
            subject: try extra.decodeIfPresent("subject"),
            failureReason: try extra.decodeIfPresent("failure_reason"),
            notes: try extra.decodeJSON("notes_json"),
            pipelineStatus: run?.status,
            runID: run?.id,
            runs: runs,
            stages: stages,
            attachments: attachments,
            variants: variants,
            events: events
        )
    }

    /// Dead jobs and jobs waiting to retry, newest first.
    public func troubledJobs(limit: Int = 50, on connection: PostgresConnection) throws -> [JobView] {
        try connection.query(
            """
            SELECT id, kind, status, attempts, max_attempts, last_error, updated_at FROM jobs
            WHERE status = 'dead' OR (status = 'pending' AND last_error IS NOT NULL)
            ORDER BY updated_at DESC LIMIT $1
            """,
            [limit]
        ).rows.map { row in
            JobView(
                id: try row.decode("id"),
                kind: try row.decode("kind"),
                status: try row.decode("status"),
                attempts: try row.decode("attempts"),
                maxAttempts: try row.decode("max_attempts"),
                lastError: try row.decodeIfPresent("last_error"),
                updatedAt: try row.decode("updated_at")
            )
        }
    }

    private static func decodeSummary(_ row: PostgresRow) throws -> RunSummary {
        RunSummary(
            requestID: try row.decode("id"),
            tenantID: try row.decode("tenant_id"),
            talentSlug: try row.decode("slug"),
            source: try row.decode("source"),
            status: try row.decode("status"),
            prompt: try row.decodeIfPresent("prompt_text"),
            createdAt: try row.decode("created_at"),
            processedAt: try row.decodeIfPresent("processed_at"),
            durationSeconds: try row.decodeIfPresent("duration_s"),
            attachmentCount: try row.decode("attachment_count"),
            variantCount: try row.decode("variant_count")
        )
    }

    /// A variant's publish attempts, oldest first.
    public func publishAttempts(queueID: UUID, on connection: PostgresConnection) throws -> [PublishAttemptView] {
        try connection.query(
            """
            SELECT id, channel, started_at, outcome, detail, external_post_id, failed_step, screenshot_path IS NOT NULL AS has_screenshot
            FROM publish_attempts WHERE content_queue_id = $1 ORDER BY id
            """,
            [queueID]
        ).rows.map { row in
            PublishAttemptView(
                id: try row.decode("id"),
                channel: try row.decode("channel"),
                startedAt: try row.decode("started_at"),
                outcome: try row.decodeIfPresent("outcome"),
                detail: try row.decodeIfPresent("detail"),
                externalPostID: try row.decodeIfPresent("external_post_id"),
                failedStep: try row.decodeIfPresent("failed_step"),
                hasScreenshot: try row.decode("has_screenshot")
            )
        }
    }

    /// True when job `id` exists (and is visible in the connection's scope).
    public func jobExists(id: Int64, on connection: PostgresConnection) throws -> Bool {
        try !connection.query("SELECT 1 FROM jobs WHERE id = $1", [id]).rows.isEmpty
    }

    /// The blob path of the screenshot a failing device step left on an attempt.
    public func publishScreenshotBlob(attemptID: Int64, on connection: PostgresConnection) throws -> String? {
        try connection.query("SELECT screenshot_path FROM publish_attempts WHERE id = $1", [attemptID]).first?.decodeIfPresent("screenshot_path")
    }

    /// A variant's composed reel (blob path), when it has one.
    public func reelBlob(queueID: UUID, on connection: PostgresConnection) throws -> String? {
        try connection.query(
            "SELECT c.asset_url FROM content_queue q JOIN content c ON c.id = q.content_id WHERE q.id = $1 AND c.type = 'reel'",
            [queueID]
        ).first?.decodeIfPresent("asset_url")
    }
}
