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
        /// Whether `assetPath` is a composed file (a reel, or a card picture when `type` is `image`).
        public let hasComposedAsset: Bool
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
        SELECT r.id AS request_id, r.tenant_id, t.slug AS talent_slug, r.source, r.status, r.prompt_text AS prompt,
               r.created_at, r.processed_at,
               extract(epoch FROM (coalesce(r.processed_at, now()) - r.created_at))::float8 AS duration_seconds,
               (SELECT count(*) FROM post_request_attachments a WHERE a.post_request_id = r.id) AS attachment_count,
               (SELECT count(*) FROM content_queue q WHERE q.post_request_id = r.id) AS variant_count
        FROM post_requests r JOIN talents t ON t.id = r.talent_id
        """

    /// The most recent requests, newest first.
    public func recentRuns(limit: Int = 50, on connection: PostgresConnection) throws -> [RunSummary] {
        try connection.query(Self.summarySelect + " ORDER BY r.created_at DESC LIMIT $1", [limit]).rows.map { try $0.decode(as: RunSummary.self) }
    }

    /// One request with its stages, attachments, variants and events, or nil.
    public func run(requestID: UUID, on connection: PostgresConnection) throws -> RunDetail? {
        guard let row = try connection.query(Self.summarySelect + " WHERE r.id = $1", [requestID]).first else { return nil }
        let summary = try row.decode(as: RunSummary.self)
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
        ).rows.map { try $0.decode(as: PipelineRunView.self) }
        let run = runs.first { $0.status == "running" } ?? runs.filter { $0.status != "queued" }.max { $0.startedAt < $1.startedAt }
        var stages: [StageView] = []
        if let runID = run?.id {
            stages = try connection.query(
                """
                SELECT s.stage, s.attachment_id, s.status, s.attempts, s.started_at, s.duration_ms, s.summary, s.error,
                       o.pipeline_run_id AS reused_from_run
                FROM stage_runs s LEFT JOIN stage_runs o ON o.id = s.reused_from
                WHERE s.pipeline_run_id = $1 ORDER BY s.position, s.started_at
                """,
                [runID]
            ).rows.map { try $0.decode(as: StageView.self) }
        }
        let attachments = try connection.query(
            """
            SELECT id, filename, mime, bytes, sha256, role, duration_s AS duration_seconds, analysis_json::text AS analysis_json
            FROM post_request_attachments WHERE post_request_id = $1 ORDER BY position
            """,
            [requestID]
        ).rows.map { try $0.decode(as: AttachmentView.self) }
        let variants = try connection.query(
            """
            SELECT q.id, a.platform, a.handle, q.state, c.caption, c.hashtags, q.origin, c.type, c.asset_url,
                   \(ComposedAsset.condition) AS has_composed_asset, q.external_post_id, q.external_url, q.publish_error, q.needs_check
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
                hasComposedAsset: try row.decode("has_composed_asset"),
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
        ).rows.map { try $0.decode(as: JobView.self) }
    }

    /// A variant's publish attempts, oldest first.
    public func publishAttempts(queueID: UUID, on connection: PostgresConnection) throws -> [PublishAttemptView] {
        try connection.query(
            """
            SELECT id, channel, started_at, outcome, detail, external_post_id, failed_step, screenshot_path IS NOT NULL AS has_screenshot
            FROM publish_attempts WHERE content_queue_id = $1 ORDER BY id
            """,
            [queueID]
        ).rows.map { try $0.decode(as: PublishAttemptView.self) }
    }

    /// True when job `id` exists (and is visible in the connection's scope).
    public func jobExists(id: Int64, on connection: PostgresConnection) throws -> Bool {
        try !connection.query("SELECT 1 FROM jobs WHERE id = $1", [id]).rows.isEmpty
    }

    /// The blob path of the screenshot a failing device step left on an attempt.
    public func publishScreenshotBlob(attemptID: Int64, on connection: PostgresConnection) throws -> String? {
        try connection.query("SELECT screenshot_path FROM publish_attempts WHERE id = $1", [attemptID]).first?.decodeIfPresent("screenshot_path")
    }

    /// A variant's composed reel or card picture, when it has one.
    public func composedAsset(queueID: UUID, on connection: PostgresConnection) throws -> ComposedAsset? {
        try ComposedAsset.find(where: "q.id = $1", [queueID], on: connection)
    }
}
