public import Blobs
public import Domain
public import Foundation
public import Logging
public import Store

/// Turns a request from any source into stored blobs, then one transaction holding the request, its
/// attachments and its first job. Nothing is recorded before its bytes are safely stored.
public struct PostRequestIntake: Sendable {
    /// The job kind that runs the post-request pipeline.
    public static let pipelineJobKind = "post_request.pipeline"

    /// The serial key of a request's pipeline jobs: its first run and any reruns run one at a time.
    public static func pipelineSerialKey(_ requestID: UUID) -> String { "post_request:\(requestID.uuidString.lowercased())" }

    /// The job that runs a request's pipeline: its first run (`pipeline:<id>`) or a queued rerun
    /// (`pipeline-rerun:<run id>`), one at a time per request under its serial key.
    public static func pipelineJob(requestID: UUID, tenantID: UUID, idempotencyKey: String) -> JobQueue.NewJob {
        JobQueue.NewJob(
            kind: pipelineJobKind,
            payload: ["post_request_id": requestID.uuidString],
            tenantID: tenantID,
            idempotencyKey: idempotencyKey,
            serialKey: pipelineSerialKey(requestID)
        )
    }

    /// A file to attach: on local disk, or bytes already in memory (an email's attachment).
    public struct LocalFile: Sendable {
        public enum Source: Sendable {
            case path(URL)
            case bytes(Data)
            /// Already in the blob store (a streamed upload), with the type its magic bytes gave.
            case stored(StoredBlob, mime: String)
        }

        public var source: Source
        public var filename: String
        public var role: AttachmentRole

        public init(url: URL, filename: String? = nil, role: AttachmentRole = .media) {
            self.source = .path(url)
            self.filename = FilenameSanitizer.sanitize(filename ?? url.lastPathComponent)
            self.role = role
        }

        public init(bytes: Data, filename: String, role: AttachmentRole = .media) {
            self.source = .bytes(bytes)
            self.filename = FilenameSanitizer.sanitize(filename)
            self.role = role
        }

        public init(stored blob: StoredBlob, mime: String, filename: String, role: AttachmentRole = .media) {
            self.source = .stored(blob, mime: mime)
            self.filename = FilenameSanitizer.sanitize(filename)
            self.role = role
        }

        /// The path for messages, or the filename for in-memory bytes.
        var label: String {
            switch source {
            case .path(let url): url.path
            case .bytes, .stored: filename
            }
        }
    }

    /// A request whose talent and targets are resolved and whose blobs are stored, ready to record.
    public struct PreparedRequest: Sendable {
        public let talent: TalentSnapshot
        public let request: PostRequestRepository.NewRequest
        public let attachments: [AttachmentSnapshot]
        let rememberTargets: Bool
        /// Neither platforms nor accounts were named: the talent's last selection decides, read when the
        /// request is recorded (an earlier request recorded meanwhile may have changed it).
        let followsLastSelection: Bool
        /// The talent's accounts, to choose from then.
        let accounts: [AccountSnapshot]
    }

    /// What the caller asks for.
    public struct Submission: Sendable {
        /// Which talent: by slug (an email address, the command line), by id, or already read with its
        /// accounts (`resolve`, for a caller that checks the accounts before it commits its blobs).
        public enum Talent: Sendable, Equatable {
            case slug(String)
            case id(UUID)
            case resolved(ResolvedTalent)
        }

        public var talent: Talent
        public var source: PostRequestSource
        public var prompt: String?
        /// nil or empty: the talent's last selection, else all active accounts.
        public var platforms: [Platform]?
        public var files: [LocalFile]
        /// Exact accounts to target (the portal's chips); each must be one of the talent's active accounts.
        public var accountIDs: [UUID]?
        /// What intake records of where the request came from (the email, the idempotency key).
        public var provenance: RequestProvenance

        public init(
            talent: Talent,
            source: PostRequestSource,
            prompt: String?,
            platforms: [Platform]?,
            files: [LocalFile],
            accountIDs: [UUID]? = nil,
            provenance: RequestProvenance = .init()
        ) {
            self.accountIDs = accountIDs
            self.talent = talent
            self.source = source
            self.prompt = prompt
            self.platforms = platforms
            self.files = files
            self.provenance = provenance
        }
    }

    /// A talent and its accounts as `resolve` read them, in the scope it was given.
    public struct ResolvedTalent: Sendable, Equatable {
        public let talent: TalentSnapshot
        public let accounts: [AccountSnapshot]
    }

    /// The outcome: the request's id and whether this call created it (false: the intake key was known).
    public struct Receipt: Sendable, Equatable {
        public let requestID: UUID
        public let created: Bool
        public let targetAccountIDs: [UUID]
    }

    let pool: PostgresPool
    let blobs: any BlobStore
    let queue: JobQueue
    let logger: Logger
    /// Largest accepted attachment in bytes. Default 100 MiB.
    let maxAttachmentBytes: Int64

    public init(pool: PostgresPool, blobs: any BlobStore, queue: JobQueue, logger: Logger, maxAttachmentBytes: Int64 = 100 << 20) {
        self.pool = pool
        self.blobs = blobs
        self.queue = queue
        self.logger = logger
        self.maxAttachmentBytes = maxAttachmentBytes
    }

    /// Validates, stores the files, and records the request with its pipeline job.
    ///
    /// In a tenant's `scope` (the portal) every read and write runs as the web role under row-level security for
    /// that tenant: a talent of another tenant is not found, and nothing can be written outside the tenant.
    public func submit(_ submission: Submission, scope: DataScope = .platform) async throws -> Receipt {
        let pool = self.pool.scoped(scope)
        let prepared = try await prepare(submission, on: pool)
        let receipt = try await pool.withTransaction { connection in try self.record(prepared, on: connection) }
        logger.info(
            "post request received",
            metadata: [
                "post_request_id": "\(receipt.requestID)", "talent": "\(prepared.talent.slug)",
                "source": "\(submission.source.rawValue)", "created": "\(receipt.created)",
            ]
        )
        return receipt
    }

    /// Resolves the talent and targets, checks the files and stores their bytes. Records nothing.
    ///
    /// Blobs come first: a crash after this leaves at worst an unreferenced blob, never a row without bytes.
    public func prepare(_ submission: Submission) async throws -> PreparedRequest {
        try await prepare(submission, on: pool)
    }

    /// Reads the talent and its accounts, in `scope`, and checks that each of `accountIDs` is one of its active
    /// accounts. The portal calls this before it commits an upload's blobs (a refusal leaves nothing behind),
    /// then submits with `.resolved`, so the talent is read once.
    public func resolve(_ talent: Submission.Talent, accountIDs: [UUID]? = nil, scope: DataScope = .platform) async throws -> ResolvedTalent {
        let resolved = try await resolve(talent, on: pool.scoped(scope))
        _ = try Self.chosenAccounts(accountIDs ?? [], of: resolved)
        return resolved
    }

    private func resolve(_ reference: Submission.Talent, on pool: PostgresPool) async throws -> ResolvedTalent {
        let talents = TalentRepository()
        return try await pool.withConnection { connection in
            let talent: TalentSnapshot
            switch reference {
            case .resolved(let resolved):
                return resolved
            case .slug(let slug):
                guard let found = try talents.talent(slug: slug.lowercased(), on: connection) else {
                    throw IntakeError.unknownTalent(slug.lowercased())
                }
                talent = found
            case .id(let id):
                guard let found = try talents.talent(id: id, on: connection) else {
                    throw IntakeError.unknownTalent(id.uuidString.lowercased())
                }
                talent = found
            }
            return ResolvedTalent(talent: talent, accounts: try talents.accounts(talentID: talent.id, on: connection))
        }
    }

    /// The talent's active accounts `chosen` names, in the talent's order; throws if any is not one of them.
    private static func chosenAccounts(_ chosen: [UUID], of resolved: ResolvedTalent) throws -> [AccountSnapshot] {
        let active = resolved.accounts.filter { $0.status == "active" }
        guard chosen.allSatisfy({ id in active.contains { $0.id == id } }) else { throw IntakeError.foreignAccount(resolved.talent.slug) }
        return active.filter { chosen.contains($0.id) }
    }

    /// `prepare`, reading the talent through `pool` (a tenant-scoped view for the portal) unless the
    /// submission carries it already read.
    private func prepare(_ submission: Submission, on pool: PostgresPool) async throws -> PreparedRequest {
        let followsLastSelection = (submission.accountIDs ?? []).isEmpty && (submission.platforms ?? []).isEmpty
        let resolved = try await resolve(submission.talent, on: pool)
        let (talent, accounts) = (resolved.talent, resolved.accounts)
        let slug = talent.slug
        let targets: [AccountSnapshot]
        if let chosen = submission.accountIDs, !chosen.isEmpty {
            targets = try Self.chosenAccounts(chosen, of: resolved)
        } else {
            // With no platforms named this checks there is an account to target; `record` makes the choice.
            targets = try TargetSelection.resolve(platforms: submission.platforms, accounts: accounts, lastUsed: nil, slug: slug)
        }
        for file in submission.files { try check(file) }

        let namespace = BlobNamespace.talent(tenantID: talent.tenantID, talentID: talent.id)
        var attachments: [AttachmentSnapshot] = []
        for file in submission.files {
            let stored: StoredBlob
            let mime: String
            switch file.source {
            case .path(let url):
                stored = try await blobs.store(file: url, in: namespace)
                mime = MediaSniffer.sniff(Self.leadingBytes(of: url)).mime
            case .bytes(let data):
                stored = try await blobs.store(data: data, in: namespace)
                mime = MediaSniffer.sniff(data.prefix(MediaSniffer.headerLength)).mime
            case .stored(let blob, let given):
                stored = blob
                mime = given
            }
            attachments.append(
                AttachmentSnapshot(
                    id: UUID(),
                    filename: file.filename,
                    storagePath: stored.path,
                    mime: mime,
                    bytes: stored.bytes,
                    sha256: stored.sha256,
                    role: Self.role(file.role, mime: mime)
                )
            )
        }

        let prompt = submission.prompt?.trimmingCharacters(in: .whitespacesAndNewlines)
        let request = PostRequestRepository.NewRequest(
            tenantID: talent.tenantID,
            talentID: talent.id,
            source: submission.source,
            promptText: (prompt?.isEmpty ?? true) ? nil : prompt,
            targetAccountIDs: targets.map(\.id),
            provenance: submission.provenance
        )
        return PreparedRequest(
            talent: talent,
            request: request,
            attachments: attachments,
            rememberTargets: !(submission.platforms ?? []).isEmpty,
            followsLastSelection: followsLastSelection,
            accounts: accounts
        )
    }

    /// Records a prepared request, its attachments, its pipeline job and an event, inside the caller's transaction.
    /// A request whose intake key is already known is not recorded again: the receipt names the existing one.
    public func record(_ prepared: PreparedRequest, on connection: PostgresConnection) throws -> Receipt {
        let requests = PostRequestRepository()
        var request = prepared.request
        let talent = prepared.talent
        if prepared.followsLastSelection {
            let lastUsed = try TalentRepository().lastTargetAccountIDs(talentID: talent.id, on: connection)
            request.targetAccountIDs = try TargetSelection.resolve(platforms: nil, accounts: prepared.accounts, lastUsed: lastUsed, slug: talent.slug)
                .map(\.id)
        }
        guard let id = try requests.insert(request, attachments: prepared.attachments, on: connection) else {
            let existing = try request.intakeKey.flatMap { try requests.requestID(intakeKey: $0, on: connection) }
            guard let existing else { throw IntakeError.conflict }
            return Receipt(requestID: existing, created: false, targetAccountIDs: request.targetAccountIDs)
        }
        try queue.enqueue(Self.pipelineJob(requestID: id, tenantID: talent.tenantID, idempotencyKey: "pipeline:\(id.uuidString.lowercased())"), on: connection)
        if prepared.rememberTargets {
            try TalentRepository().rememberTargets(talentID: talent.id, accountIDs: request.targetAccountIDs, on: connection)
        }
        try EventRepository().record(
            kind: "post_request.received",
            tenantID: talent.tenantID,
            talentID: talent.id,
            postRequestID: id,
            payload: ["source": request.source.rawValue, "attachments": String(prepared.attachments.count)],
            on: connection
        )
        return Receipt(requestID: id, created: true, targetAccountIDs: request.targetAccountIDs)
    }

    /// Audio is a voice memo wherever it comes from (the portal, `submit`, email): an instruction that fills an
    /// empty prompt and becomes the reel's voice, never the post's media.
    static func role(_ given: AttachmentRole, mime: String) -> AttachmentRole {
        given == .media && mime.hasPrefix("audio/") ? .voiceMemo : given
    }

    private static func leadingBytes(of url: URL) -> Data {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return Data() }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: MediaSniffer.headerLength)) ?? Data()
    }

    private func check(_ file: LocalFile) throws {
        switch file.source {
        case .path(let url):
            guard FileManager.default.isReadableFile(atPath: url.path),
                let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                (attributes[.type] as? FileAttributeType) == .typeRegular
            else { throw IntakeError.unreadableFile(url.path) }
            try checkSize((attributes[.size] as? NSNumber)?.int64Value ?? 0, of: file)
        case .bytes(let data):
            try checkSize(Int64(data.count), of: file)
        case .stored(let blob, _):
            try checkSize(blob.bytes, of: file)
        }
    }

    private func checkSize(_ size: Int64, of file: LocalFile) throws {
        if size == 0 { throw IntakeError.emptyFile(file.label) }
        if size > maxAttachmentBytes { throw IntakeError.tooLarge(file.label, limit: maxAttachmentBytes) }
    }
}
