import Foundation

/// The state of one `curl_easy_perform`, reached from the C callbacks through their `void*` userdata.
///
/// Created per request and kept alive by the caller for the duration of the transfer.
final class CurlTransfer {
    /// What the write callback received: a fetched message, or the untagged lines of a custom command.
    var body = Data()
    /// The most bytes the write callback accepts; past it the transfer aborts.
    let maxBodyBytes: Int
    /// Set when the write callback refused data because of `maxBodyBytes`.
    var exceededLimit = false
    /// The last few server lines libcurl passed to the header callback (every response line of the session).
    private(set) var serverLines: [String] = []
    /// What an upload (APPEND) sends, and how much of it went.
    let upload: Data
    var uploadOffset = 0

    private static let keptServerLines = 8
    private static let keptLineLength = 300

    init(maxBodyBytes: Int, upload: Data = Data()) {
        self.maxBodyBytes = maxBodyBytes
        self.upload = upload
    }

    /// What a write or header callback got from libcurl, handed to `take` with the transfer behind `userdata`.
    /// Returns the count libcurl expects back: all the bytes, or 0 (which aborts the transfer) when `take` refuses.
    static func deliver(
        _ data: UnsafeMutablePointer<CChar>?,
        size: Int,
        count: Int,
        to userdata: UnsafeMutableRawPointer?,
        _ take: (CurlTransfer, UnsafeRawBufferPointer) -> Bool
    ) -> Int {
        let length = size * count
        guard let data, let userdata, length > 0 else { return length }
        let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
        return take(transfer, UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
    }

    /// Appends received bytes; false when that would pass the limit.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= maxBodyBytes else {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Remembers one server response line, shortened; only the last few are kept.
    func receiveServerLine(_ bytes: UnsafeRawBufferPointer) {
        var line = String(decoding: bytes.prefix(Self.keptLineLength * 4), as: UTF8.self)
        while line.last == "\n" || line.last == "\r" || line.last == "\r\n" { line.removeLast() }
        if line.count > Self.keptLineLength { line = String(line.prefix(Self.keptLineLength)) + "…" }
        guard !line.isEmpty else { return }
        serverLines.append(line)
        if serverLines.count > Self.keptServerLines { serverLines.removeFirst(serverLines.count - Self.keptServerLines) }
    }

    /// Copies the next upload bytes into libcurl's buffer; 0 at the end.
    func send(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        upload.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[uploadOffset..<uploadOffset + count]))
        }
        uploadOffset += count
        return count
    }

    /// The server's most telling recent line, without its tag: the last NO/BAD/BYE answer if there is one
    /// (libcurl logs out after a failure, so the very last line is usually `OK Logout completed`), else the last line.
    var statusLine: String? {
        let lines = serverLines.map { IMAPResponse.withoutTag($0[...]) }
        let isLogout: (String) -> Bool = { $0.uppercased().hasPrefix("OK LOGOUT") || $0.uppercased().hasPrefix("* BYE LOGGING OUT") }
        if let failure = lines.last(where: { line in
            let upper = line.uppercased()
            return !isLogout(line) && ["NO ", "NO[", "BAD ", "BAD[", "* NO ", "* BAD ", "* BYE "].contains { upper.hasPrefix($0) }
        }) {
            return failure
        }
        return lines.last(where: { !isLogout($0) }) ?? lines.last
    }

    /// The body as text (untagged responses are ASCII; anything else is replaced, never trusted).
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
