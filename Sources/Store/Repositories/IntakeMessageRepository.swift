public import Foundation

/// The record of every email the intake mailbox held (`intake_messages`).
public struct IntakeMessageRepository: Sendable {
    public init() {}

    /// What became of a message.
    public enum Outcome: String, Sendable, Codable {
        /// At least one post request was created from it.
        case ingested
        /// No request: no known talent, a reserved or unknown suffix, an unreadable message.
        case refused
        /// The same bytes (or the same Gmail message) were already taken in.
        case duplicate
    }

    /// The server's name for one message.
    public struct MailboxKey: Sendable, Equatable, Hashable {
        public var mailbox: String
        public var uidValidity: UInt32
        public var uid: UInt32
        public init(mailbox: String, uidValidity: UInt32, uid: UInt32) {
            self.mailbox = mailbox
            self.uidValidity = uidValidity
            self.uid = uid
        }
        /// The post requests' intake key prefix: `imap:<mailbox>:<uidvalidity>:<uid>`.
        public var intakeKey: String { "imap:\(mailbox):\(uidValidity):\(uid)" }
    }

    /// One routing decision for one recipient address.
    public struct Route: Sendable, Codable, Equatable {
        public var address: String
        public var header: String
        public var decision: String
        public var talentSlug: String?
        public init(address: String, header: String, decision: String, talentSlug: String? = nil) {
            self.address = address
            self.header = header
            self.decision = decision
            self.talentSlug = talentSlug
        }
    }

    /// A message to record: where it is, what became of it and where it goes, then what is known of it.
    public struct NewMessage: Sendable {
        public var key: MailboxKey
        public var outcome: Outcome
        public var folder: String
        public var gmailMessageID: String?
        public var rawSHA256: String?
        public var rawPath: String?
        public var rawBytes: Int64?
        public var messageID: String?
        public var sender: String?
        public var subject: String?
        public var reason: String?
        public var routes: [Route] = []
        public var postRequestIDs: [UUID] = []
        public var duplicateOf: UUID?

        public init(key: MailboxKey, outcome: Outcome, folder: String) {
            self.key = key
            self.outcome = outcome
            self.folder = folder
        }
    }

    /// A recorded message, as operators and the poller see it.
    public struct Message: Sendable, Codable, Equatable {
        public let id: UUID
        public let mailbox: String
        public let uidValidity: Int64
        public let uid: Int64
        public let gmailMessageID: String?
        public let rawSHA256: String?
        public let rawPath: String?
        public let rawBytes: Int64?
        public let messageID: String?
        public let sender: String?
        public let subject: String?
        public let outcome: String
        public let reason: String?
        public let routes: [Route]
        public let postRequestIDs: [UUID]
        public let duplicateOf: UUID?
        public let folder: String
        public let receivedAt: Date
        public let filedAt: Date?
    }

    private static let columns = """
        id, mailbox, uid_validity, uid, gmail_message_id, raw_sha256, raw_path, raw_bytes, message_id, sender, subject,
        outcome, reason, routing_json AS routes, post_request_ids, duplicate_of, folder, received_at, filed_at
        """

    /// Records a message; nil when its mailbox key (or Gmail id) is already recorded.
    public func insert(_ message: NewMessage, on connection: PostgresConnection) throws -> UUID? {
        try connection.query(
            """
            INSERT INTO intake_messages (mailbox, uid_validity, uid, gmail_message_id, raw_sha256, raw_path, raw_bytes,
                message_id, sender, subject, outcome, reason, routing_json, post_request_ids, duplicate_of, folder)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16)
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            [
                message.key.mailbox, Int64(message.key.uidValidity), Int64(message.key.uid), message.gmailMessageID,
                message.rawSHA256, message.rawPath, message.rawBytes, message.messageID, message.sender, message.subject,
                message.outcome.rawValue, message.reason, try PostgresJSON(message.routes), message.postRequestIDs,
                message.duplicateOf, message.folder,
            ]
        ).first?.decode("id")
    }

    /// The message recorded under this mailbox key, if any.
    public func message(key: MailboxKey, on connection: PostgresConnection) throws -> Message? {
        try connection.query(
            "SELECT \(Self.columns) FROM intake_messages WHERE mailbox = $1 AND uid_validity = $2 AND uid = $3",
            [key.mailbox, Int64(key.uidValidity), Int64(key.uid)]
        ).rows.first?.decode(as: Message.self)
    }

    /// The messages recorded under these UIDs of one mailbox and UIDVALIDITY, by UID: one query for a poll.
    public func messages(mailbox: String, uidValidity: UInt32, uids: [UInt32], on connection: PostgresConnection) throws -> [UInt32: Message] {
        guard !uids.isEmpty else { return [:] }
        let found = try connection.query(
            "SELECT \(Self.columns) FROM intake_messages WHERE mailbox = $1 AND uid_validity = $2 AND uid = ANY($3::bigint[])",
            [mailbox, Int64(uidValidity), uids.map { Int64($0) }]
        ).rows.map { try $0.decode(as: Message.self) }
        return Dictionary(found.map { (UInt32(truncatingIfNeeded: $0.uid), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Unfinished parses of these UIDs (see `unfinishedParses(key:on:)`), by UID; absent means none.
    public func unfinishedParses(mailbox: String, uidValidity: UInt32, uids: [UInt32], on connection: PostgresConnection) throws -> [UInt32: Int] {
        guard !uids.isEmpty else { return [:] }
        let rows = try connection.query(
            "SELECT uid, attempts FROM intake_attempts WHERE mailbox = $1 AND uid_validity = $2 AND uid = ANY($3::bigint[])",
            [mailbox, Int64(uidValidity), uids.map { Int64($0) }]
        ).rows
        return Dictionary(try rows.map { (UInt32(try $0.decode("uid", as: Int64.self)), try $0.decode("attempts", as: Int.self)) }, uniquingKeysWith: max)
    }

    /// The message recorded under this Gmail id, if any.
    public func message(gmailMessageID: String, on connection: PostgresConnection) throws -> Message? {
        try connection.query("SELECT \(Self.columns) FROM intake_messages WHERE gmail_message_id = $1", [gmailMessageID])
            .rows.first?.decode(as: Message.self)
    }

    /// The first ingested message with these exact bytes, if any.
    public func ingested(rawSHA256: String, on connection: PostgresConnection) throws -> Message? {
        try connection.query(
            """
            SELECT \(Self.columns) FROM intake_messages WHERE raw_sha256 = $1 AND outcome = 'ingested'
            ORDER BY received_at LIMIT 1
            """,
            [rawSHA256]
        ).rows.first?.decode(as: Message.self)
    }

    /// A message by id.
    public func message(id: UUID, on connection: PostgresConnection) throws -> Message? {
        try connection.query("SELECT \(Self.columns) FROM intake_messages WHERE id = $1", [id]).rows.first?.decode(as: Message.self)
    }

    /// The message a post request came from, if it came from one.
    public func message(postRequestID: UUID, on connection: PostgresConnection) throws -> Message? {
        try connection.query(
            "SELECT \(Self.columns) FROM intake_messages WHERE $1 = ANY(post_request_ids) ORDER BY received_at LIMIT 1",
            [postRequestID]
        ).rows.first?.decode(as: Message.self)
    }

    /// Recent messages, newest first; only one outcome when given.
    public func recent(outcome: Outcome? = nil, limit: Int, on connection: PostgresConnection) throws -> [Message] {
        try connection.query(
            """
            SELECT \(Self.columns) FROM intake_messages WHERE ($1::text IS NULL OR outcome = $1)
            ORDER BY received_at DESC LIMIT $2
            """,
            [outcome?.rawValue, limit]
        ).rows.map { try $0.decode(as: Message.self) }
    }

    /// Recorded messages of this mailbox not yet noted as filed: (record id, UID).
    public func unfiled(mailbox: String, uidValidity: UInt32, on connection: PostgresConnection) throws -> [(id: UUID, uid: UInt32)] {
        try connection.query(
            "SELECT id, uid FROM intake_messages WHERE mailbox = $1 AND uid_validity = $2 AND filed_at IS NULL",
            [mailbox, Int64(uidValidity)]
        ).rows.map { (try $0.decode("id"), UInt32(truncatingIfNeeded: try $0.decode("uid", as: Int64.self))) }
    }

    /// Notes that the message now sits in its folder on the server.
    public func markFiled(id: UUID, on connection: PostgresConnection) throws {
        try markFiled(ids: [id], on: connection)
    }

    /// Notes that these messages now sit in their folders, in one statement.
    public func markFiled(ids: [UUID], on connection: PostgresConnection) throws {
        guard !ids.isEmpty else { return }
        try connection.query("UPDATE intake_messages SET filed_at = now() WHERE id = ANY($1) AND filed_at IS NULL", [ids])
    }

    /// Notes that parsing the message starts; returns how many parses are now unfinished, this one included.
    public func countParseStarted(key: MailboxKey, on connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            INSERT INTO intake_attempts (mailbox, uid_validity, uid, attempts) VALUES ($1, $2, $3, 1)
            ON CONFLICT (mailbox, uid_validity, uid) DO UPDATE SET attempts = intake_attempts.attempts + 1, updated_at = now()
            RETURNING attempts
            """,
            [key.mailbox, Int64(key.uidValidity), Int64(key.uid)]
        ).first?.decode("attempts") ?? 1
    }

    /// Parses of the message that started and never finished: each one a daemon that died inside the parser.
    public func unfinishedParses(key: MailboxKey, on connection: PostgresConnection) throws -> Int {
        try connection.query(
            "SELECT attempts FROM intake_attempts WHERE mailbox = $1 AND uid_validity = $2 AND uid = $3",
            [key.mailbox, Int64(key.uidValidity), Int64(key.uid)]
        ).first?.decode("attempts") ?? 0
    }

    /// Forgets the unfinished parses once a parse has finished (or the message is recorded).
    public func clearUnfinishedParses(key: MailboxKey, on connection: PostgresConnection) throws {
        try connection.query(
            "DELETE FROM intake_attempts WHERE mailbox = $1 AND uid_validity = $2 AND uid = $3",
            [key.mailbox, Int64(key.uidValidity), Int64(key.uid)]
        )
    }
}
