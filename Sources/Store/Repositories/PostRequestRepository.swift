public import Domain
public import Foundation

/// Post requests and their attachments.
public struct PostRequestRepository: Sendable {
    public init() {}

    /// A post request to create.
    public struct NewRequest: Sendable {
        public var tenantID: UUID
        public var talentID: UUID
        public var source: PostRequestSource
        public var promptText: String?
        public var targetAccountIDs: [UUID]
        public var provenance: RequestProvenance

        public init(
            tenantID: UUID,
            talentID: UUID,
            source: PostRequestSource,
            promptText: String?,
            targetAccountIDs: [UUID],
            provenance: RequestProvenance = .init()
        ) {
            self.tenantID = tenantID
            self.talentID = talentID
            self.source = source
            self.promptText = promptText
            self.targetAccountIDs = targetAccountIDs
            self.provenance = provenance
        }

        public var intakeKey: String? { provenance.intakeKey }
    }

    /// Inserts the request and its attachments (blobs already stored; the attachments keep their ids and their
    /// order); returns the new id, or nil when the intake key already exists.
    public func insert(_ request: NewRequest, attachments: [AttachmentSnapshot], on connection: PostgresConnection) throws -> UUID? {
        let inserted = try connection.query(
            """
            INSERT INTO post_requests (tenant_id, talent_id, source, prompt_text, target_account_ids, sender_email,
                                       subject, gmail_message_id, intake_key, raw_message_path, notes_json)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            [
                request.tenantID, request.talentID, request.source.rawValue, request.promptText, request.targetAccountIDs,
                request.provenance.senderEmail, request.provenance.subject, request.provenance.gmailMessageID,
                request.provenance.intakeKey, request.provenance.rawMessagePath, try PostgresJSON(request.provenance.notes),
            ]
        )
        guard let id: UUID = try inserted.first?.decode("id") else { return nil }
        guard !attachments.isEmpty else { return id }
        // One statement for all of them.
        try connection.query(
            """
            INSERT INTO post_request_attachments (tenant_id, post_request_id, position, id, filename, storage_path, mime, bytes, sha256, role)
            SELECT $1, $2, file.position - 1, file.id, file.filename, file.storage_path, file.mime, file.bytes, file.sha256, file.role
            FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[])
                 WITH ORDINALITY AS file (id, filename, storage_path, mime, bytes, sha256, role, position)
            """,
            [
                request.tenantID, id, attachments.map(\.id), attachments.map(\.filename), attachments.map(\.storagePath),
                attachments.map(\.mime), attachments.map(\.bytes), attachments.map(\.sha256), attachments.map(\.role.rawValue),
            ]
        )
        return id
    }

    /// The id of the request with this intake key, if any.
    public func requestID(intakeKey: String, on connection: PostgresConnection) throws -> UUID? {
        try connection.query("SELECT id FROM post_requests WHERE intake_key = $1", [intakeKey]).first?.decode("id")
    }

    /// The request as the pipeline sees it.
    public func snapshot(id: UUID, on connection: PostgresConnection) throws -> PostRequestSnapshot? {
        try connection.query(
            "SELECT id, tenant_id, talent_id, source, prompt_text, target_account_ids, status FROM post_requests WHERE id = $1",
            [id]
        ).first?.decode(as: PostRequestSnapshot.self)
    }

    /// The request's attachments in their original order.
    public func attachments(requestID: UUID, on connection: PostgresConnection) throws -> [AttachmentSnapshot] {
        try connection.query(
            """
            SELECT id, filename, storage_path, mime, bytes, sha256, role FROM post_request_attachments
            WHERE post_request_id = $1 ORDER BY position, created_at
            """,
            [requestID]
        ).rows.map { try $0.decode(as: AttachmentSnapshot.self) }
    }

    /// Moves the request to `status`; a final status also stamps `processed_at`. Never moves a final request back.
    public func setStatus(
        _ status: PostRequestStatus,
        failureReason: String? = nil,
        requestID: UUID,
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE post_requests SET status = $2, failure_reason = coalesce($3, failure_reason), updated_at = now(),
                   processed_at = CASE WHEN $2 IN ('complete', 'failed') THEN now() ELSE processed_at END
            WHERE id = $1 AND status NOT IN ('complete', 'failed')
            """,
            [requestID, status.rawValue, failureReason]
        )
    }

    /// Locks the request's row for the rest of the transaction and reads its status; nil when it is gone.
    public func lockStatus(requestID: UUID, on connection: PostgresConnection) throws -> PostRequestStatus? {
        try connection.query("SELECT status FROM post_requests WHERE id = $1 FOR UPDATE", [requestID]).first
            .flatMap { PostRequestStatus(rawValue: try $0.decode("status")) }
    }

    /// Opens a failed request again (its dead pipeline job was revived); true when it was failed.
    public func reopenFailed(requestID: UUID, on connection: PostgresConnection) throws -> Bool {
        try connection.query(
            """
            UPDATE post_requests SET status = 'received', failure_reason = NULL, processed_at = NULL, updated_at = now()
            WHERE id = $1 AND status = 'failed'
            """,
            [requestID]
        ).affectedRows > 0
    }

    /// Opens a finished request again (a rerun of its pipeline starts): back to `received`, failure cleared.
    public func reopen(requestID: UUID, on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE post_requests SET status = 'received', failure_reason = NULL, processed_at = NULL, updated_at = now()
            WHERE id = $1 AND status IN ('complete', 'failed')
            """,
            [requestID]
        )
    }

    /// Sets the request's prompt when it has none (a voice memo's transcript).
    public func fillPromptIfEmpty(_ prompt: String, requestID: UUID, on connection: PostgresConnection) throws {
        try connection.query(
            "UPDATE post_requests SET prompt_text = $2, updated_at = now() WHERE id = $1 AND coalesce(prompt_text, '') = ''",
            [requestID, prompt]
        )
    }

    /// Stores one stage's analysis under its key in the attachment's `analysis_json`.
    public func mergeAnalysis(
        attachmentID: UUID,
        key: String,
        json: String,
        durationSeconds: Double? = nil,
        transcript: String? = nil,
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE post_request_attachments
            SET analysis_json = analysis_json || jsonb_build_object($2::text, $3::jsonb),
                duration_s = coalesce($4, duration_s), transcript_text = coalesce($5, transcript_text)
            WHERE id = $1
            """,
            [attachmentID, key, PostgresJSON(text: json), durationSeconds, transcript]
        )
    }
}
