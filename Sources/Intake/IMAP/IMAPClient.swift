import CCurl
public import Foundation

/// A blocking IMAP client over one libcurl easy handle.
///
/// The handle, and so the logged-in connection, is reused from call to call. Every method blocks until the
/// server answers: run them off the cooperative thread pool (for example on `NIOThreadPool.singleton`).
/// Calls are serialised by a lock, but the client is meant to be confined to one task at a time: libcurl
/// remembers which mailbox the connection has selected, and interleaved callers would only wait on each other.
///
/// ```swift
/// let client = try IMAPClient(.init(url: "imap://127.0.0.1:1143/INBOX", user: "intake", password: secret))
/// let status = try client.examine("INBOX")
/// for uid in try client.searchUIDs("INBOX", criteria: "UNSEEN") {
///     let raw = try client.fetchMessage("INBOX", uidValidity: status.uidValidity, uid: uid, maxBytes: 50 << 20)
///     try client.move(uid: uid, from: "INBOX", to: "drsocial/ingested")
/// }
/// ```
///
/// Mailbox names are UTF-8 with `/` as the hierarchy separator; they are sent as modified UTF-7.
/// Commands that would change the selected mailbox behind libcurl's back (`SELECT`, `EXAMINE`, `CLOSE`)
/// are never sent: `examine(_:)` uses `STATUS`, and `deleteMailbox(_:)` drops the connection afterwards.
public final class IMAPClient: @unchecked Sendable {
    /// How the client was configured.
    public let configuration: Configuration
    /// The mailbox named in the configured URL (`INBOX` when it names none).
    public var defaultMailbox: String { endpoint.defaultMailbox }

    private let endpoint: IMAPEndpoint
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let lock = NSLock()
    private var cachedCapabilities: Set<String>?
    private var transfers = 0
    /// Set when a transfer failed: whatever it left unread may still sit in the connection, so the next
    /// call opens a fresh one instead of reading a stranger's bytes as its reply.
    private var connectionSuspect = false

    /// The most bytes a command's untagged responses may bring (a SEARCH of a huge mailbox is the largest).
    private static let responseLimit = 32 << 20
    /// libcurl's receive buffer; a server line longer than this would be cut, so it bounds the SEARCH line
    /// (about 35,000 UIDs). It stays under libcurl's 300 KiB limit on response "headers": with a 1 MiB buffer,
    /// libcurl 7.88 could hand a buffer of message bytes arriving behind a response line to that check and
    /// fail the transfer ("Too large response headers"), as `mailArrivingWhilePollingIsAllTakenIn` showed.
    private static let receiveBufferBytes = 256 << 10

    /// `curl_global_init` runs once per process, before the first handle.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    /// Prepares a client; it connects on the first call.
    /// - Throws: `CurlError.invalidRequest` when the URL is not `imap://` or `imaps://`, or holds credentials.
    public init(_ configuration: Configuration) throws(CurlError) {
        endpoint = try IMAPEndpoint(configuration.url)
        self.configuration = configuration
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { throw .invalidRequest("curl_easy_init failed") }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    // MARK: Server

    /// The server's capabilities after login (`IMAP4REV1`, `MOVE`, `UIDPLUS`, `X-GM-EXT-1` …), upper-cased.
    public func capabilities() throws(CurlError) -> Set<String> {
        let transfer = try perform(rootURL, command: "CAPABILITY")
        let capabilities = IMAPResponse.capabilities(transfer.bodyText)
        guard !capabilities.isEmpty else { throw .unexpectedReply("no CAPABILITY line") }
        lock.lock()
        cachedCapabilities = capabilities
        lock.unlock()
        return capabilities
    }

    // MARK: Mailboxes

    /// UIDVALIDITY, UIDNEXT and the message count of a mailbox, without selecting it (IMAP `STATUS`).
    /// - Throws: `CurlError.noSuchMailbox` when it does not exist.
    public func examine(_ mailbox: String) throws(CurlError) -> MailboxStatus {
        let command = "STATUS \(try IMAPMailboxName.quoted(mailbox)) (MESSAGES UIDNEXT UIDVALIDITY)"
        let transfer: CurlTransfer
        do {
            transfer = try perform(rootURL, command: command)
        } catch  where error == .commandFailed && Self.saysNonexistent(error.serverResponse) {
            throw error.reclassified(as: .noSuchMailbox)
        }
        guard let status = IMAPResponse.status(transfer.bodyText) else { throw .unexpectedReply("no STATUS line with UIDVALIDITY") }
        return status
    }

    /// Whether a mailbox of exactly this name exists (IMAP `LIST "" name`).
    public func mailboxExists(_ name: String) throws(CurlError) -> Bool {
        let transfer = try perform(rootURL, command: "LIST \"\" \(try IMAPMailboxName.quoted(name))")
        return IMAPResponse.listCount(transfer.bodyText) > 0
    }

    /// Creates a mailbox (and its parents); one that already exists is fine.
    public func createMailbox(_ name: String) throws(CurlError) {
        do {
            _ = try perform(rootURL, command: "CREATE \(try IMAPMailboxName.quoted(name))")
        } catch  where error == .commandFailed {
            // Dovecot answers `NO [ALREADYEXISTS]`; other servers word it differently, so ask when unsure.
            let response = error.serverResponse?.uppercased() ?? ""
            if response.contains("ALREADYEXISTS") || response.contains("ALREADY EXISTS") { return }
            if (try? mailboxExists(name)) == true { return }
            throw error
        }
    }

    /// Deletes a mailbox and its messages, then drops the connection so libcurl cannot think it still selected.
    /// - Throws: `CurlError.noSuchMailbox` when it does not exist.
    public func deleteMailbox(_ name: String) throws(CurlError) {
        do {
            _ = try perform(rootURL, command: "DELETE \(try IMAPMailboxName.quoted(name))", closeConnection: true)
        } catch  where error == .commandFailed && Self.saysNonexistent(error.serverResponse) {
            throw error.reclassified(as: .noSuchMailbox)
        }
    }

    // MARK: Messages

    /// Brings the connection's view of `mailbox` up to date (IMAP `NOOP`).
    ///
    /// libcurl keeps a mailbox selected between calls; a server need not report mail that arrived meanwhile
    /// until a command like NOOP lets it, so call this before searching for new mail.
    public func refresh(_ mailbox: String) throws(CurlError) {
        _ = try perform(try mailboxURL(mailbox), command: "NOOP")
    }

    /// The UIDs matching `criteria` (IMAP `UID SEARCH`), ascending.
    /// - Parameter criteria: IMAP search keys such as `ALL`, `UNSEEN`, `UID 100:*`; no line breaks.
    public func searchUIDs(_ mailbox: String, criteria: String = "ALL") throws(CurlError) -> [UInt32] {
        guard !criteria.isEmpty, !criteria.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidRequest("the search criteria are empty or contain a control character")
        }
        let transfer = try perform(try mailboxURL(mailbox), command: "UID SEARCH \(criteria)")
        return IMAPResponse.searchUIDs(transfer.bodyText)
    }

    /// The raw bytes of one message (`BODY[]`, which marks it `\Seen`).
    /// - Parameters:
    ///   - uidValidity: the UIDVALIDITY the UID belongs to.
    ///   - maxBytes: the most bytes accepted; the transfer aborts past it.
    /// - Throws: `CurlError.uidValidityChanged` when the mailbox's UIDVALIDITY is no longer `uidValidity`,
    ///   `.noSuchMessage` when no message has `uid`, `.tooLarge` past `maxBytes`.
    public func fetchMessage(_ mailbox: String, uidValidity: UInt32, uid: UInt32, maxBytes: Int) throws(CurlError) -> Data {
        guard maxBytes > 0 else { throw .invalidRequest("maxBytes must be positive") }
        let url = "\(try mailboxURL(mailbox));UIDVALIDITY=\(uidValidity)/;UID=\(uid)"
        // libcurl (7.88) expects the FETCH line first; an untagged line the server slips in before it (new mail:
        // `* 12 EXISTS`) fails the transfer with CURLE_WEIRD_SERVER_REPLY. Another try, on a fresh connection, reads it.
        var attempt = 0
        while true {
            do throws(CurlError) {
                return try perform(url, maxBodyBytes: maxBytes).body
            } catch {
                attempt += 1
                guard error.curlCode == Int(CURLE_WEIRD_SERVER_REPLY.rawValue), attempt < 3 else { throw error }
            }
        }
    }

    /// Gmail's stable message id (`X-GM-MSGID`), or nil when the server is not Gmail (no `X-GM-EXT-1`).
    public func gmailMessageID(_ mailbox: String, uid: UInt32) throws(CurlError) -> String? {
        guard try knownCapabilities().contains("X-GM-EXT-1") else { return nil }
        let transfer = try perform(try mailboxURL(mailbox), command: "UID FETCH \(uid) (X-GM-MSGID)")
        return IMAPResponse.gmailMessageID(transfer.bodyText, uid: uid)
    }

    /// The sizes of these messages in bytes (`RFC822.SIZE`), by UID, one command per `sizesPerCommand` UIDs; a
    /// UID the server does not know is absent.
    public func messageSizes(_ mailbox: String, uids: [UInt32]) throws(CurlError) -> [UInt32: Int] {
        let sorted = Set(uids).sorted()
        var sizes: [UInt32: Int] = [:]
        for start in stride(from: 0, to: sorted.count, by: Self.sizesPerCommand) {
            let chunk = Array(sorted[start..<min(start + Self.sizesPerCommand, sorted.count)])
            let transfer = try perform(try mailboxURL(mailbox), command: "UID FETCH \(Self.sequenceSet(chunk)) (RFC822.SIZE)")
            sizes.merge(IMAPResponse.messageSizes(transfer.bodyText)) { _, new in new }
        }
        return sizes
    }

    /// UIDs asked per `UID FETCH … (RFC822.SIZE)`. libcurl 7.88 (Debian 12) counts the response lines of one
    /// command against its 300 KB header limit once per line for everything still buffered after it, so a
    /// reply of n lines costs about n² × 20 bytes: 150 lines failed every poll with `Too large response headers`
    /// (curl error 56), and the mailbox was never taken in. 50 lines cost about 50 KB.
    static let sizesPerCommand = 50

    /// An IMAP sequence set of UIDs, runs collapsed: `[1, 2, 3, 7]` → `1:3,7`.
    static func sequenceSet(_ uids: [UInt32]) -> String {
        var runs: [(first: UInt32, last: UInt32)] = []
        for uid in Set(uids).sorted() {
            if let last = runs.last?.last, uid == last &+ 1 { runs[runs.count - 1].last = uid } else { runs.append((uid, uid)) }
        }
        return runs.map { $0.first == $0.last ? "\($0.first)" : "\($0.first):\($0.last)" }.joined(separator: ",")
    }

    /// Moves one message to another mailbox.
    ///
    /// With `MOVE` it is one `UID MOVE`; otherwise (or when `preferMove` is false) `UID COPY`, then
    /// `UID STORE +FLAGS.SILENT (\Deleted)`, then `UID EXPUNGE` (plain `EXPUNGE` without `UIDPLUS`).
    /// A UID that is already gone is not an error: the server answers OK and nothing moves.
    public func move(uid: UInt32, from source: String, to destination: String, preferMove: Bool = true) throws(CurlError) {
        try move(uids: [uid], from: source, to: destination, preferMove: preferMove)
    }

    /// Moves messages to another mailbox in one command (or one of each for the fallback); see `move(uid:…)`.
    public func move(uids: [UInt32], from source: String, to destination: String, preferMove: Bool = true) throws(CurlError) {
        guard !uids.isEmpty else { return }
        let capabilities = try knownCapabilities()
        let url = try mailboxURL(source)
        let target = try IMAPMailboxName.quoted(destination)
        let set = Self.sequenceSet(uids)
        if preferMove && capabilities.contains("MOVE") {
            _ = try perform(url, command: "UID MOVE \(set) \(target)")
            return
        }
        _ = try perform(url, command: "UID COPY \(set) \(target)")
        _ = try perform(url, command: "UID STORE \(set) +FLAGS.SILENT (\\Deleted)")
        _ = try perform(url, command: capabilities.contains("UIDPLUS") ? "UID EXPUNGE \(set)" : "EXPUNGE")
    }

    /// Appends a message to a mailbox (IMAP `APPEND`, through a libcurl upload).
    ///
    /// Bare LF line endings are sent as CRLF, as RFC 5322 requires (Dovecot returns CRLF either way).
    /// - Returns: the new message's UID when the server reports it (`APPENDUID`, RFC 4315).
    @discardableResult
    public func append(_ message: Data, to mailbox: String) throws(CurlError) -> UInt32? {
        let transfer = try perform(try mailboxURL(mailbox), upload: Self.crlfNormalized(message))
        guard let line = transfer.serverLines.last else { return nil }
        let words = line.split(whereSeparator: { $0 == " " || $0 == "[" || $0 == "]" })
        guard let index = words.firstIndex(where: { $0.uppercased() == "APPENDUID" }), index + 2 < words.count else { return nil }
        return UInt32(words[index + 2])
    }

    // MARK: Helpers

    /// `data` with every bare LF (and bare CR) turned into CRLF.
    static func crlfNormalized(_ data: Data) -> Data {
        var result = Data()
        result.reserveCapacity(data.count + data.count / 40)
        var previous: UInt8 = 0
        for byte in data {
            if byte == 0x0A && previous != 0x0D { result.append(0x0D) }
            if previous == 0x0D && byte != 0x0A { result.append(0x0A) }
            result.append(byte)
            previous = byte
        }
        if previous == 0x0D { result.append(0x0A) }
        return result
    }

    private var rootURL: String { endpoint.base + "/" }

    private func mailboxURL(_ mailbox: String) throws(CurlError) -> String {
        endpoint.base + "/" + (try IMAPMailboxName.urlPath(mailbox))
    }

    /// The transfers (commands, fetches, appends) this client has made: a test counts round trips with it.
    public var transfersMade: Int {
        lock.lock()
        defer { lock.unlock() }
        return transfers
    }

    private func knownCapabilities() throws(CurlError) -> Set<String> {
        lock.lock()
        let cached = cachedCapabilities
        lock.unlock()
        if let cached { return cached }
        return try capabilities()
    }

    private static func saysNonexistent(_ response: String?) -> Bool {
        guard let response = response?.uppercased() else { return false }
        return response.contains("NONEXISTENT") || response.contains("NOT EXIST") || response.contains("DOESN'T EXIST")
    }

    // MARK: Transfer

    /// Runs one libcurl transfer on the shared handle.
    /// - Parameters:
    ///   - command: a custom IMAP command (`CURLOPT_CUSTOMREQUEST`); its untagged replies arrive as the body.
    ///   - upload: bytes to APPEND to the URL's mailbox.
    ///   - maxBodyBytes: the most bytes the write callback accepts.
    ///   - closeConnection: drop the connection afterwards instead of keeping it for the next call.
    private func perform(
        _ url: String,
        command: String? = nil,
        upload: Data? = nil,
        maxBodyBytes: Int = IMAPClient.responseLimit,
        closeConnection: Bool = false
    ) throws(CurlError) -> CurlTransfer {
        lock.lock()
        defer { lock.unlock() }
        transfers += 1
        let transfer = CurlTransfer(maxBodyBytes: maxBodyBytes, upload: upload ?? Data())
        let userdata = Unmanaged.passUnretained(transfer).toOpaque()
        curl_easy_reset(handle)  // keeps the live connection, clears every option
        errorBuffer.update(repeating: 0, count: Int(CURL_ERROR_SIZE))

        try setOption(drsocial_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try setOption(drsocial_curl_setopt_string(handle, CURLOPT_URL, url))
        try setOption(drsocial_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "imap,imaps"))
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try setOption(drsocial_curl_setopt_string(handle, CURLOPT_USERNAME, configuration.user))
        try setOption(drsocial_curl_setopt_string(handle, CURLOPT_PASSWORD, configuration.password))
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, configuration.connectTimeoutSeconds))
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_TIMEOUT, configuration.operationTimeoutSeconds))
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, Self.receiveBufferBytes))
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        // imaps is TLS from the start; plain imap must upgrade with STARTTLS unless the server is this machine.
        let tls = endpoint.implicitTLS || !endpoint.isLoopback
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(tls ? CURLUSESSL_ALL.rawValue : CURLUSESSL_NONE.rawValue)))
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0))
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0))
        if let caInfoPath = configuration.caInfoPath {
            try setOption(drsocial_curl_setopt_string(handle, CURLOPT_CAINFO, caInfoPath))
        }
        if closeConnection { try setOption(drsocial_curl_setopt_long(handle, CURLOPT_FORBID_REUSE, 1)) }
        // One connection at a time: a fresh one replaces (and closes) the cached one.
        try setOption(drsocial_curl_setopt_long(handle, CURLOPT_MAXCONNECTS, 1))
        if connectionSuspect { try setOption(drsocial_curl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1)) }

        try setOption(drsocial_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata))
        try setOption(
            drsocial_curl_setopt_write_function(handle) { data, size, count, userdata in
                CurlTransfer.deliver(data, size: size, count: count, to: userdata) { transfer, bytes in transfer.receive(bytes) }
            }
        )
        // libcurl passes every server response line to the header callback: the source of error details.
        try setOption(drsocial_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata))
        try setOption(
            drsocial_curl_setopt_header_function(handle) { data, size, count, userdata in
                CurlTransfer.deliver(data, size: size, count: count, to: userdata) { transfer, line in
                    transfer.receiveServerLine(line)
                    return true
                }
            }
        )
        if let command {
            try setOption(drsocial_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, command))
        }
        if upload != nil {
            try setOption(drsocial_curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
            try setOption(drsocial_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(transfer.upload.count)))
            try setOption(drsocial_curl_setopt_pointer(handle, CURLOPT_READDATA, userdata))
            try setOption(
                drsocial_curl_setopt_read_function(handle) { buffer, size, count, userdata in
                    guard let buffer, let userdata else { return 0 }
                    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
                    return transfer.send(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
                }
            )
        }

        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        connectionSuspect = code != CURLE_OK
        guard code != CURLE_OK else { return transfer }
        throw CurlError.curl(
            code: Int(code.rawValue),
            message: redacted(curlMessage(code)),
            serverResponse: transfer.statusLine.map(redacted),
            exceededLimit: transfer.exceededLimit ? maxBodyBytes : nil
        )
    }

    private func setOption(_ code: CURLcode) throws(CurlError) {
        guard code != CURLE_OK else { return }
        throw CurlError.curl(code: Int(code.rawValue), message: curlMessage(code), serverResponse: nil, exceededLimit: nil)
    }

    /// libcurl's detailed message from the error buffer, or the generic one for the code.
    private func curlMessage(_ code: CURLcode) -> String {
        let detailed = String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
        return detailed.isEmpty ? String(cString: curl_easy_strerror(code)) : detailed
    }

    /// `text` with the password, and the SASL PLAIN blob that carries it, blanked out.
    private func redacted(_ text: String) -> String {
        let password = configuration.password
        guard !password.isEmpty else { return text }
        let plain = Data("\0\(configuration.user)\0\(password)".utf8).base64EncodedString()
        return text.replacingOccurrences(of: plain, with: "<redacted>").replacingOccurrences(of: password, with: "<redacted>")
    }
}
