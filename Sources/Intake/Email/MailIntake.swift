public import Blobs
import Crypto
import Domain
public import Foundation
public import Logging
import NIOConcurrencyHelpers
public import Store
import Telemetry

/// Takes the intake mailbox's messages in, each exactly once, in an order that loses nothing:
/// raw bytes and attachments stored → one transaction records the message, its requests, their jobs →
/// only then the message is moved to its folder (`drsocial/ingested` or `drsocial/refused`).
///
/// A crash anywhere leaves the message in the mailbox; the next poll finds it either unrecorded (and
/// takes it in then) or recorded (and only files it). `\Seen` is never used as state.
public final class MailIntake: Sendable {
    public struct Configuration: Sendable {
        /// The domain of `<slug>+post@` addresses (`INTAKE_DOMAIN`).
        public var intakeDomain: String
        /// The mailbox polled (from `IMAP_URL`, INBOX by default).
        public var mailbox: String
        public var ingestedFolder: String
        public var refusedFolder: String
        /// Largest attachment kept (`MAX_ATTACHMENT_BYTES`); larger ones are left out with a note.
        public var maxAttachmentBytes: Int
        /// Largest message fetched; a larger one is refused unread.
        public var maxMessageBytes: Int
        /// Parses left unfinished (the daemon died inside GMime) before a message is refused unread.
        public var maxReadAttempts: Int
        /// Messages taken per poll.
        public var batchSize: Int
        /// The most addresses at the intake domain acted on per message (default 50); the rest are noted, not
        /// looked up, so thousands of `Cc:` lines cost one note instead of thousands of talent lookups.
        public var maxAddresses: Int

        public init(
            intakeDomain: String,
            mailbox: String = "INBOX",
            ingestedFolder: String = "drsocial/ingested",
            refusedFolder: String = "drsocial/refused",
            maxAttachmentBytes: Int = 100 << 20,
            maxMessageBytes: Int? = nil,
            maxReadAttempts: Int = 3,
            batchSize: Int = 200,
            maxAddresses: Int = 50
        ) {
            self.intakeDomain = intakeDomain.lowercased()
            self.mailbox = mailbox
            self.ingestedFolder = ingestedFolder
            self.refusedFolder = refusedFolder
            self.maxAttachmentBytes = maxAttachmentBytes
            // Base64 makes attachments a third larger; leave room for a few at the limit.
            self.maxMessageBytes = maxMessageBytes ?? max(32 << 20, maxAttachmentBytes * 2)
            self.maxReadAttempts = maxReadAttempts
            self.batchSize = batchSize
            self.maxAddresses = maxAddresses
        }
    }

    /// What one poll did.
    public struct PollReport: Sendable, Equatable {
        public var ingested = 0
        public var refused = 0
        public var duplicates = 0
        /// Messages already recorded that were only moved to their folder (a crash between commit and move).
        public var refiled = 0
        public var requestIDs: [UUID] = []
        public var seen: Int { ingested + refused + duplicates + refiled }
        /// Messages this poll recorded for the first time (not the ones it only moved).
        public var recorded: Int { ingested + refused + duplicates }
        public init() {}
    }

    public let configuration: Configuration
    let mailbox: MailboxSession?
    let pool: PostgresPool
    let blobs: any BlobStore
    let intake: PostRequestIntake
    let isolatedParser: IsolatedMIMEParser?
    let logger: Logger
    private let localParses = ParseCount()

    /// - Parameter isolatedParser: parses each new message in a media-worker child, whose answer the daemon uses
    ///   (the daemon passes its workers); nil parses in this process only, under the unfinished-parse count.
    public init(
        configuration: Configuration,
        client: IMAPClient?,
        pool: PostgresPool,
        blobs: any BlobStore,
        intake: PostRequestIntake,
        isolatedParser: IsolatedMIMEParser? = nil,
        logger: Logger
    ) {
        self.isolatedParser = isolatedParser
        self.configuration = configuration
        self.mailbox = client.map(MailboxSession.init)
        self.pool = pool
        self.blobs = blobs
        self.intake = intake
        self.logger = logger
    }

    /// The IMAP session; replaying from stored messages needs none.
    private var mail: MailboxSession {
        get throws {
            guard let mailbox else { throw MailIntakeError("no IMAP client: IMAP_URL is not set") }
            return mailbox
        }
    }

    /// Creates the processed folders when they are missing.
    public func prepareFolders() async throws {
        for folder in [configuration.ingestedFolder, configuration.refusedFolder] {
            try await (try mail).run { client throws(CurlError) in
                if try !client.mailboxExists(folder) { try client.createMailbox(folder) }
            }
        }
    }

    /// Takes in every message waiting in the mailbox (up to `batchSize`).
    ///
    /// One round of lookups serves the whole batch: the UIDs (`UID SEARCH`), their sizes (one `UID FETCH …
    /// (RFC822.SIZE)`), which are recorded already and which have unfinished parses (one query each). New
    /// messages are then read ahead: while one is recorded, the next ones are being fetched, stored and
    /// parsed (up to `readAhead` messages and `readAheadBytes` bytes of them at once; one larger message is
    /// read alone). Each is recorded in its own transaction, in UID order, and moved to its folder after
    /// that: recorded messages are moved together, one `UID MOVE` per folder for up to `fileTogether` of
    /// them, and noted as filed in one statement.
    public func pollOnce() async throws -> PollReport {
        let mailbox = configuration.mailbox
        let (status, uids) = try await (try mail).run { client throws(CurlError) in
            try client.refresh(mailbox)
            return (try client.examine(mailbox), try client.searchUIDs(mailbox, criteria: "UNDELETED"))
        }
        var report = PollReport()
        try await noteFiledWhenGone(mailbox: mailbox, uidValidity: status.uidValidity, present: Set(uids))
        let batch = Array(uids.prefix(configuration.batchSize))
        guard !batch.isEmpty else { return report }
        let messages = IntakeMessageRepository()
        let (recorded, unfinished) = try await pool.withConnection { connection in
            (
                try messages.messages(mailbox: mailbox, uidValidity: status.uidValidity, uids: batch, on: connection),
                try messages.unfinishedParses(mailbox: mailbox, uidValidity: status.uidValidity, uids: batch, on: connection)
            )
        }
        var filing = Filing()
        for uid in batch {
            guard let known = recorded[uid] else { continue }
            // Recorded, not moved yet: a crash between the commit and the move. Only filed now.
            filing.add(uid: uid, id: known.id, folder: known.folder)
            report.refiled += 1
            DaemonMetrics.emailFiled(.refiled)
        }
        let fresh = batch.filter { recorded[$0] == nil }
        let sizes = fresh.isEmpty ? [:] : try await (try mail).run { client throws(CurlError) in try client.messageSizes(mailbox, uids: fresh) }

        var ahead: [(key: IntakeMessageRepository.MailboxKey, bytes: Int, task: Task<Prepared, any Error>)] = []
        defer { for item in ahead { item.task.cancel() } }
        var upcoming = fresh.makeIterator()
        var waiting = upcoming.next()
        func readAhead() {
            while let uid = waiting, ahead.count < Self.readAhead {
                let bytes = sizes[uid] ?? 0
                guard ahead.isEmpty || ahead.reduce(0, { $0 + $1.bytes }) + bytes <= Self.readAheadBytes else { return }
                let key = IntakeMessageRepository.MailboxKey(mailbox: mailbox, uidValidity: status.uidValidity, uid: uid)
                let attempts = unfinished[uid] ?? 0
                ahead.append((key, bytes, Task { try await self.prepare(key, unfinishedParses: attempts) }))
                waiting = upcoming.next()
            }
        }
        // Bytes taken in by this poll, so a message repeated within the batch is a duplicate like any other.
        var ingestedHere: [String: UUID] = [:]
        readAhead()
        while !ahead.isEmpty {
            try Task.checkCancellation()
            let (key, _, task) = ahead.removeFirst()
            let prepared = try await task.value
            readAhead()
            switch prepared {
            case .refile(let id, let folder):
                filing.add(uid: key.uid, id: id, folder: folder)
                report.refiled += 1
                DaemonMetrics.emailFiled(.refiled)
            case .decided(var decided, let gmailID):
                if case .ingested(_, let raw, let email, _) = decided, let earlier = ingestedHere[raw.blob.sha256] {
                    decided = .duplicate(of: earlier, raw: raw, email: email)
                }
                let record = try await record(decided, key: key, gmailID: gmailID, clearingParses: (unfinished[key.uid] ?? 0) > 0)
                switch decided {
                case .ingested(_, let raw, _, _):
                    ingestedHere[raw.blob.sha256] = record.id
                    report.ingested += 1
                    DaemonMetrics.emailFiled(.ingested)
                case .refused:
                    report.refused += 1
                    DaemonMetrics.emailFiled(.refused)
                case .duplicate:
                    report.duplicates += 1
                    DaemonMetrics.emailFiled(.duplicate)
                }
                report.requestIDs += record.requestIDs
                filing.add(uid: key.uid, id: record.id, folder: record.folder)
            }
            if filing.count >= Self.fileTogether { try await file(&filing) }
        }
        try await file(&filing)
        return report
    }

    /// New messages fetched, stored and parsed ahead of the one being recorded (so up to this many parse at
    /// once: the mail children's pool keeps as many warm).
    public static let readAhead = 4
    /// The most bytes of messages read ahead at once (a larger message is read alone).
    static let readAheadBytes = 32 << 20
    /// The most recorded messages waiting to be moved together.
    static let fileTogether = 32

    /// A recorded message waiting to be moved, by folder.
    struct Filing {
        var byFolder: [String: [(uid: UInt32, id: UUID)]] = [:]
        var count: Int { byFolder.values.reduce(0) { $0 + $1.count } }
        mutating func add(uid: UInt32, id: UUID, folder: String) { byFolder[folder, default: []].append((uid, id)) }
    }

    /// What reading one new message came to, before anything is recorded.
    enum Prepared: Sendable {
        /// Recorded under another UIDVALIDITY (the same Gmail message): only to be filed.
        case refile(id: UUID, folder: String)
        case decided(Decision, gmailID: String?)
    }

    /// A recorded message no longer in the mailbox was moved (the daemon died between the move and the note).
    private func noteFiledWhenGone(mailbox: String, uidValidity: UInt32, present: Set<UInt32>) async throws {
        try await pool.withConnection { connection in
            let messages = IntakeMessageRepository()
            let gone = try messages.unfiled(mailbox: mailbox, uidValidity: uidValidity, on: connection).filter { !present.contains($0.uid) }
            try messages.markFiled(ids: gone.map(\.id), on: connection)
        }
    }

    // MARK: One message

    /// Fetches, stores and reads one new message; records nothing.
    private func prepare(_ key: IntakeMessageRepository.MailboxKey, unfinishedParses unfinished: Int) async throws -> Prepared {
        let messages = IntakeMessageRepository()
        let gmailID = try await (try mail).run { client throws(CurlError) in try client.gmailMessageID(key.mailbox, uid: key.uid) }
        if let gmailID, let recorded = try await pool.withConnection({ try messages.message(gmailMessageID: gmailID, on: $0) }) {
            // The same Gmail message under a new UIDVALIDITY: already taken in.
            return .refile(id: recorded.id, folder: recorded.folder)
        }
        if unfinished >= configuration.maxReadAttempts {
            let reason = "reading this message failed \(unfinished) times: the daemon stopped inside the MIME parser each time (a crash on this message)"
            return .decided(.refused(reason: reason, raw: nil, email: nil, routes: []), gmailID: gmailID)
        }
        return .decided(try await decide(key, gmailID: gmailID), gmailID: gmailID)
    }

    /// The raw message as stored, with its digest.
    struct RawMessage: Sendable {
        let blob: StoredBlob
        let data: Data
    }

    enum Decision: Sendable {
        case ingested([PostRequestIntake.PreparedRequest], raw: RawMessage, email: ParsedEmail, routes: [IntakeMessageRepository.Route])
        case refused(reason: String, raw: RawMessage?, email: ParsedEmail?, routes: [IntakeMessageRepository.Route])
        case duplicate(of: UUID, raw: RawMessage, email: ParsedEmail?)
    }

    /// Fetches, stores and reads one message, and decides what it becomes. Records nothing.
    private func decide(_ key: IntakeMessageRepository.MailboxKey, gmailID: String?) async throws -> Decision {
        let limit = configuration.maxMessageBytes
        let fetched = await (try mail).attempt { client throws(CurlError) in
            try client.fetchMessage(key.mailbox, uidValidity: key.uidValidity, uid: key.uid, maxBytes: limit)
        }
        if case .failure(let error) = fetched, error == .tooLarge {
            return .refused(reason: "the message is larger than \(limit >> 20) MiB and was not read", raw: nil, email: nil, routes: [])
        }
        let data = try fetched.get()
        let raw = RawMessage(blob: try await blobs.store(data: data, in: .unassigned), data: data)
        let messages = IntakeMessageRepository()
        // The same bytes were taken in before, so GMime has survived them: a duplicate is parsed here, for its
        // subject and sender; new bytes are parsed in a child, and the daemon uses its answer.
        let earlier = try await pool.withConnection { try messages.ingested(rawSHA256: raw.blob.sha256, on: $0) }
        if let earlier { return .duplicate(of: earlier.id, raw: raw, email: try? (try await parseCounted(data, key: key)).get()) }
        let parsed: Result<ParsedEmail, MIMEReadFailure>
        switch await parseInChild(raw) {
        case .parsed(let answer):
            parsed = answer
        case .crashed(let why):
            // Kept (raw stored) and filed visibly; the daemon never parses it.
            return .refused(reason: "reading this message crashed the MIME parser in a child process: \(why)", raw: raw, email: nil, routes: [])
        case .unavailable(let why):
            if isolatedParser != nil {
                logger.warning(
                    "the isolated MIME parse could not run; parsing in the daemon under its crash count",
                    metadata: [
                        "uid": "\(key.uid)", "error": "\(why)",
                    ]
                )
            }
            parsed = try await parseCounted(data, key: key)
        }
        return try await evaluate(raw, parsed: parsed, intakeKeyPrefix: gmailID.map { "gmail:\($0)" } ?? key.intakeKey, gmailID: gmailID)
    }

    /// The child's reading of a new message. Without a child (none configured, or no local file for it) the
    /// verdict is `unavailable`, and the daemon parses the message itself under its crash count.
    private func parseInChild(_ raw: RawMessage) async -> IsolatedMIMEParser.Verdict {
        guard let isolatedParser else { return .unavailable("no isolated parser") }
        let file: URL
        do {
            file = try await blobs.localFile(for: raw.blob.path)
        } catch {
            return .unavailable("the stored message has no local file: \(error)")
        }
        return await isolatedParser.parse(rawMessage: file, limits: mimeLimits)
    }

    /// Parses with GMime, counting the parse as unfinished only while it runs: a crash inside the C library
    /// leaves the count behind (three of them refuse the message), while the daemon being stopped anywhere
    /// else (fetching, storing, recording; a deploy, a kill) leaves none, so it never turns a good message away.
    private func parseCounted(_ data: Data, key: IntakeMessageRepository.MailboxKey) async throws -> Result<ParsedEmail, MIMEReadFailure> {
        let messages = IntakeMessageRepository()
        try await pool.withConnection { _ = try messages.countParseStarted(key: key, on: $0) }
        let parsed = parseHere(data, limits: mimeLimits)
        try await pool.withConnection { try messages.clearUnfinishedParses(key: key, on: $0) }
        return parsed
    }

    /// Parses in this process (GMime), counting parses so a test can tell where a message was read.
    /// One at a time: messages read ahead may reach here together (duplicates are parsed in the daemon).
    private func parseHere(_ data: Data, limits: MIMELimits) -> Result<ParsedEmail, MIMEReadFailure> {
        localParses.withOneParse {
            Result { () throws(MIMEError) in try MIMEParser.parse(data, limits: limits) }
                .mapError { MIMEReadFailure(description: String(describing: $0)) }
        }
    }

    /// How many messages this intake has parsed in its own process (not in a child).
    public var parsesInThisProcess: Int { localParses.value }

    /// Reads a stored raw message and prepares one request per addressed talent. Records nothing.
    func evaluate(
        _ raw: RawMessage,
        parsed: Result<ParsedEmail, MIMEReadFailure>,
        intakeKeyPrefix: String,
        gmailID: String?
    ) async throws -> Decision {
        let email: ParsedEmail
        switch parsed {
        case .success(let read): email = read
        case .failure(let error):
            return .refused(reason: "the message could not be read: \(error)", raw: raw, email: nil, routes: [])
        }
        let found = MailRouting.routes(for: email, intakeDomain: configuration.intakeDomain)
        guard !found.isEmpty else {
            return .refused(
                reason: "no recipient at \(configuration.intakeDomain) (To, Cc, Delivered-To, X-Original-To, X-Forwarded-To)",
                raw: raw,
                email: email,
                routes: []
            )
        }
        let routes = found.prefix(configuration.maxAddresses)
        let submission = EmailSubmission(email: email, maxAttachmentBytes: configuration.maxAttachmentBytes)
        var recorded: [IntakeMessageRepository.Route] = []
        var prepared: [PostRequestIntake.PreparedRequest] = []
        var talentsTaken: Set<String> = []
        for route in routes {
            guard case .post(let slug) = route.decision else {
                recorded.append(.init(address: route.address, header: route.header, decision: route.decision.explanation))
                continue
            }
            guard talentsTaken.insert(slug).inserted else {
                recorded.append(.init(address: route.address, header: route.header, decision: "same talent as an earlier address", talentSlug: slug))
                continue
            }
            do {
                let request = try await intake.prepare(
                    .init(
                        talent: .slug(slug),
                        source: .email,
                        prompt: submission.prompt,
                        platforms: submission.platforms,
                        files: submission.files,
                        provenance: .init {
                            $0.senderEmail = email.from?.address
                            $0.subject = email.subject
                            $0.gmailMessageID = prepared.isEmpty ? gmailID : nil
                            $0.intakeKey = "\(intakeKeyPrefix):\(slug)"
                            $0.rawMessagePath = raw.blob.path
                            $0.notes = submission.notes
                        }
                    )
                )
                prepared.append(request)
                recorded.append(.init(address: route.address, header: route.header, decision: route.decision.explanation, talentSlug: slug))
            } catch let error as IntakeError {
                recorded.append(.init(address: route.address, header: route.header, decision: "refused: \(error)", talentSlug: slug))
            }
        }
        if found.count > routes.count {
            recorded.append(
                .init(
                    address: "\(found.count - routes.count) more addresses",
                    header: found[routes.count].header,
                    decision: "not read: at most \(configuration.maxAddresses) addresses at \(configuration.intakeDomain) are read per message"
                )
            )
        }
        guard !prepared.isEmpty else {
            return .refused(reason: Self.refusal(recorded.map { (address: $0.address, decision: $0.decision) }), raw: raw, email: email, routes: recorded)
        }
        return .ingested(prepared, raw: raw, email: email, routes: recorded)
    }

    /// Why no address became a request, short enough for the refused-mail table: the first few addresses with
    /// their decisions, then how many more there were (the routing lists them all).
    static func refusal(_ routes: [(address: String, decision: String)]) -> String {
        let shown = routes.prefix(3).map { route in
            let address = route.address.count > 80 ? String(route.address.prefix(80)) + "…" : route.address
            return "\(address): \(route.decision)"
        }
        let more = routes.count - shown.count
        return shown.joined(separator: "; ") + (more > 0 ? "; and \(more) more (see the routing)" : "")
    }

    private var mimeLimits: MIMELimits { MIMELimits { $0.maxAttachmentBytes = configuration.maxAttachmentBytes } }

    /// One transaction: the message's record, its requests with their attachments and jobs, and events.
    /// - Parameter clearingParses: whether the message had unfinished parses to forget (a parse in this
    ///   process clears its own count when it finishes).
    private func record(
        _ decision: Decision,
        key: IntakeMessageRepository.MailboxKey,
        gmailID: String?,
        clearingParses: Bool
    ) async throws -> (id: UUID, folder: String, requestIDs: [UUID]) {
        let configuration = self.configuration
        let intake = self.intake
        return try await pool.withTransaction { connection in
            let messages = IntakeMessageRepository()
            let events = EventRepository()
            var message = IntakeMessageRepository.NewMessage(key: key, outcome: .refused, folder: configuration.refusedFolder)
            let raw: RawMessage?
            let email: ParsedEmail?
            switch decision {
            case .ingested(let prepared, let rawMessage, let parsed, let decided):
                for request in prepared {
                    message.postRequestIDs.append(try intake.record(request, on: connection).requestID)
                }
                (message.outcome, message.folder, message.routes, raw, email) = (.ingested, configuration.ingestedFolder, decided, rawMessage, parsed)
            case .refused(let why, let rawMessage, let parsed, let decided):
                (message.reason, message.routes, raw, email) = (why, decided, rawMessage, parsed)
            case .duplicate(let earlier, let rawMessage, let parsed):
                (message.outcome, message.folder, raw, email) = (.duplicate, configuration.ingestedFolder, rawMessage, parsed)
                (message.duplicateOf, message.reason) = (earlier, "the same message was already taken in")
            }
            message.gmailMessageID = gmailID
            (message.rawSHA256, message.rawPath, message.rawBytes) = (raw?.blob.sha256, raw?.blob.path, raw?.blob.bytes)
            (message.messageID, message.sender, message.subject) = (email?.messageID, email?.from?.address, email?.subject)
            guard let id = try messages.insert(message, on: connection) else { throw AlreadyRecorded() }
            if clearingParses { try messages.clearUnfinishedParses(key: key, on: connection) }
            try events.record(
                kind: "email.\(message.outcome.rawValue)",
                tenantID: nil,
                payload: [
                    "intake_message_id": id.uuidString, "sender": message.sender ?? "", "reason": message.reason ?? "",
                    "requests": String(message.postRequestIDs.count),
                ],
                on: connection
            )
            return (id, message.folder, message.postRequestIDs)
        }
    }

    /// Another poller recorded the message between our check and our insert; the transaction rolled back.
    struct AlreadyRecorded: Error {}

    /// Moves recorded messages to their folders (one command per folder) and notes them as filed. A move
    /// that fails is retried on the next poll, which finds the messages recorded and only files them.
    private func file(_ filing: inout Filing) async throws {
        let waiting = filing.byFolder
        filing = Filing()
        let mailbox = configuration.mailbox
        for (folder, messages) in waiting.sorted(by: { $0.key < $1.key }) {
            let uids = messages.map(\.uid)
            try await (try mail).run { client throws(CurlError) in try client.move(uids: uids, from: mailbox, to: folder) }
            try await pool.withConnection { try IntakeMessageRepository().markFiled(ids: messages.map(\.id), on: $0) }
            logger.info("email filed", metadata: ["uids": "\(IMAPClient.sequenceSet(uids))", "folder": "\(folder)", "messages": "\(messages.count)"])
        }
    }

    // MARK: Replay

    /// Reads a stored message again and files new requests from it (an operator's `replay`): for a message
    /// refused before its talent existed, or a request to run again from scratch. Returns the new requests.
    /// - Parameter id: the intake message's id, or the id of a request made from it.
    public func replay(_ id: UUID) async throws -> [UUID] {
        let messages = IntakeMessageRepository()
        let found = try await pool.withConnection { connection in
            try messages.message(id: id, on: connection) ?? messages.message(postRequestID: id, on: connection)
        }
        guard let message = found else { throw MailIntakeError("no email and no request from email has the id \(id)") }
        guard let path = message.rawPath else { throw MailIntakeError("the message \(message.id) was too large to keep; it cannot be replayed") }
        let data = try await blobs.read(path)
        let raw = RawMessage(blob: StoredBlob(path: path, sha256: message.rawSHA256 ?? "", bytes: Int64(data.count)), data: data)
        let parsed: Result<ParsedEmail, MIMEReadFailure>
        switch await parseInChild(raw) {
        case .parsed(let answer): parsed = answer
        case .crashed(let why): throw MailIntakeError("reading the message crashed the MIME parser in a child process: \(why)")
        case .unavailable: parsed = parseHere(data, limits: mimeLimits)
        }
        let decision = try await evaluate(raw, parsed: parsed, intakeKeyPrefix: "replay:\(UUID().uuidString.lowercased())", gmailID: nil)
        guard case .ingested(let prepared, _, _, _) = decision else {
            if case .refused(let reason, _, _, _) = decision { throw MailIntakeError("the message is still refused: \(reason)") }
            throw MailIntakeError("the message cannot be replayed")
        }
        let intake = self.intake
        return try await pool.withTransaction { connection in
            let ids = try prepared.map { try intake.record($0, on: connection).requestID }
            try connection.query(
                "UPDATE intake_messages SET post_request_ids = post_request_ids || $2 WHERE id = $1",
                [message.id, ids]
            )
            try EventRepository().record(
                kind: "email.replayed",
                tenantID: nil,
                payload: ["intake_message_id": message.id.uuidString, "requests": String(ids.count)],
                on: connection
            )
            return ids
        }
    }
}

/// Email intake cannot do what was asked; the message says why.
public struct MailIntakeError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Messages parsed in this process, one at a time.
final class ParseCount: Sendable {
    private let count = NIOLockedValueBox<Int>(0)
    /// Runs `parse` holding the lock, and counts it.
    func withOneParse<T>(_ parse: () -> T) -> T {
        count.withLockedValue { count in
            count += 1
            return parse()
        }
    }
    var value: Int { count.withLockedValue { $0 } }
}
