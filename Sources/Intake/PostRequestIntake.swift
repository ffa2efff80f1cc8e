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

    /// A file to attach, already on local disk.
    public struct LocalFile: Sendable {
        public var url: URL
        public var filename: String
        public var role: AttachmentRole
        public init(url: URL, filename: String? = nil, role: AttachmentRole = .media) {
            self.url = url
            self.filename = FilenameSanitizer.sanitize(filename ?? url.lastPathComponent)
            self.role = role
        }
    }

    /// What the caller asks for.
    public struct Submission: Sendable {
        public var talentSlug: String
        public var source: PostRequestSource
        public var prompt: String?
        /// nil or empty: the talent's last selection, else all active accounts.
        public var platforms: [Platform]?
        public var files: [LocalFile]
        public var senderEmail: String?
        public var subject: String?
        public var gmailMessageID: String?
        public var intakeKey: String?
        public var rawMessagePath: String?
        public var notes: [String]

        public init(
            talentSlug: String, source: PostRequestSource, prompt: String?, platforms: [Platform]?, files: [LocalFile],
            senderEmail: String? = nil, subject: String? = nil, gmailMessageID: String? = nil, intakeKey: String? = nil,
            rawMessagePath: String? = nil, notes: [String] = []
        ) {
            self.talentSlug = talentSlug
            self.source = source
            self.prompt = prompt
            self.platforms = platforms
            self.files = files
            self.senderEmail = senderEmail
            self.subject = subject
            self.gmailMessageID = gmailMessageID
            self.intakeKey = intakeKey
            self.rawMessagePath = rawMessagePath
            self.notes = notes
        }
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
    public func submit(_ submission: Submission) async throws -> Receipt {
        let slug = submission.talentSlug.lowercased()
        let talents = TalentRepository()
        let (talent, accounts, lastUsed) = try await pool.withConnection { connection in
            guard let talent = try talents.talent(slug: slug, on: connection) else { throw IntakeError.unknownTalent(slug) }
            return (talent, try talents.accounts(talentID: talent.id, on: connection),
                    try talents.lastTargetAccountIDs(talentID: talent.id, on: connection))
        }
        let targets = try TargetSelection.resolve(
            platforms: submission.platforms, accounts: accounts, lastUsed: lastUsed, slug: slug)
        for file in submission.files { try check(file.url) }

        // Blobs first: a crash from here on leaves at worst an unreferenced blob, never a row without bytes.
        let namespace = BlobNamespace.talent(tenantID: talent.tenantID, talentID: talent.id)
        var attachments: [PostRequestRepository.NewAttachment] = []
        for file in submission.files {
            let stored = try blobs.store(file: file.url, in: namespace)
            let verdict = MediaSniffer.sniff(Self.leadingBytes(of: file.url))
            attachments.append(.init(
                filename: file.filename, storagePath: stored.path, mime: verdict.mime, bytes: stored.bytes,
                sha256: stored.sha256, role: file.role))
        }

        let prompt = submission.prompt?.trimmingCharacters(in: .whitespacesAndNewlines)
        let request = PostRequestRepository.NewRequest(
            tenantID: talent.tenantID, talentID: talent.id, source: submission.source,
            promptText: (prompt?.isEmpty ?? true) ? nil : prompt, targetAccountIDs: targets.map(\.id),
            senderEmail: submission.senderEmail, subject: submission.subject, gmailMessageID: submission.gmailMessageID,
            intakeKey: submission.intakeKey, rawMessagePath: submission.rawMessagePath, notes: submission.notes)
        let queue = self.queue
        let storedAttachments = attachments
        let explicitPlatforms = !(submission.platforms ?? []).isEmpty
        let receipt = try await pool.withTransaction { connection -> Receipt in
            let requests = PostRequestRepository()
            guard let id = try requests.insert(request, attachments: storedAttachments, on: connection) else {
                let existing = try submission.intakeKey.flatMap { try requests.requestID(intakeKey: $0, on: connection) }
                guard let existing else { throw IntakeError.conflict }
                return Receipt(requestID: existing, created: false, targetAccountIDs: request.targetAccountIDs)
            }
            try queue.enqueue(
                .init(kind: Self.pipelineJobKind, payload: ["post_request_id": id.uuidString], tenantID: talent.tenantID,
                      idempotencyKey: "pipeline:\(id.uuidString.lowercased())"),
                on: connection)
            if explicitPlatforms {
                try talents.rememberTargets(talentID: talent.id, accountIDs: request.targetAccountIDs, on: connection)
            }
            try EventRepository().record(
                kind: "post_request.received", tenantID: talent.tenantID, talentID: talent.id, postRequestID: id,
                payload: ["source": submission.source.rawValue, "attachments": String(storedAttachments.count)], on: connection)
            return Receipt(requestID: id, created: true, targetAccountIDs: request.targetAccountIDs)
        }
        logger.info("post request received", metadata: [
            "post_request_id": "\(receipt.requestID)", "talent": "\(slug)", "source": "\(submission.source.rawValue)",
            "created": "\(receipt.created)",
        ])
        return receipt
    }

    private static func leadingBytes(of url: URL) -> Data {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return Data() }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: MediaSniffer.headerLength)) ?? Data()
    }

    private func check(_ url: URL) throws {
        guard FileManager.default.isReadableFile(atPath: url.path),
              let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              (attributes[.type] as? FileAttributeType) == .typeRegular
        else { throw IntakeError.unreadableFile(url.path) }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        if size == 0 { throw IntakeError.emptyFile(url.path) }
        if size > maxAttachmentBytes { throw IntakeError.tooLarge(url.path, limit: maxAttachmentBytes) }
    }
}
