public import Blobs
import Domain
public import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
import Synchronization

/// What an upload may be.
public struct UploadLimits: Sendable, Equatable {
    /// Largest file, in bytes. The browser checks the same number before sending.
    public var maxFileBytes: Int64 = 100 << 20
    /// Largest request body, in bytes.
    public var maxRequestBytes: Int64 = 1 << 30
    public var maxFiles = 10
    /// Most parts (fields and files) a body may have.
    public var maxParts = 40
    /// Longest pause between two chunks of the body.
    public var idleSeconds: Double = 30
    /// Longest a whole upload may take.
    public var totalSeconds: Double = 3600
    /// After `graceSeconds`, a body arriving slower than this on average is cut off (a trickle).
    public var minimumBytesPerSecond: Double = 1024
    public var graceSeconds: Double = 10

    /// The defaults above, changed by `adjust`: `UploadLimits { $0.maxFiles = 3 }`.
    public init(_ adjust: (inout Self) -> Void = { _ in }) { adjust(&self) }

    /// The media types the portal accepts, decided by magic bytes.
    public static let acceptedPrefixes = ["image/", "video/", "audio/"]
}

/// Why an upload was refused: each maps to a status and a message a person can act on.
public struct UploadError: Error, CustomStringConvertible, Equatable {
    public let status: HTTPResponse.Status
    public let description: String

    static func tooLarge(_ what: String) -> UploadError { .init(status: .contentTooLarge, description: what) }
    static func bad(_ what: String) -> UploadError { .init(status: .badRequest, description: what) }
    static func unsupported(_ name: String, _ type: String) -> UploadError {
        UploadError(status: .unsupportedMediaType, description: "\(name) is \(type), not a picture, video or sound file")
    }
    static let idle = UploadError(status: .requestTimeout, description: "the upload stalled and was cut off")
    static let slow = UploadError(status: .requestTimeout, description: "the upload was too slow and was cut off")
    static let tooLong = UploadError(status: .requestTimeout, description: "the upload took too long and was cut off")
}

/// A form field or a stored file from a multipart body.
public struct ReceivedUpload: Sendable {
    public struct File: Sendable {
        public var filename: String
        public var mime: String
        public var leading: Data
        /// Not yet visible: `commit` or `abort` it.
        public var writer: any BlobWriter
    }
    public var fields: [String: [String]] = [:]
    public var files: [File] = []

    /// Drops every file written so far.
    public func abort() { files.forEach { $0.writer.abort() } }
}

/// Streams a `multipart/form-data` body into blob writers as it arrives, in constant memory: our push
/// parser (`MultipartStreamParser`) is fed each chunk of Hummingbird's body stream; every file part goes
/// straight to its own writer from the chunk's own bytes. Limits are enforced on the way; an idle,
/// trickling or endless body is cut off; on any failure every writer is aborted, so nothing is left behind.
public struct UploadReceiver: Sendable {
    public let limits: UploadLimits
    public let blobs: any BlobStore

    public func receive(_ request: Request) async throws -> ReceivedUpload {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw UploadError(status: .unsupportedMediaType, description: "send the files as multipart/form-data")
        }
        guard let boundary = Self.boundary(in: contentType) else { throw UploadError.bad("the multipart body has no boundary") }
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > limits.maxRequestBytes {
            throw UploadError.tooLarge("the upload is \(Self.megabytes(length)), more than the \(Self.megabytes(limits.maxRequestBytes)) allowed")
        }
        let state = ParseState(limits: limits, blobs: blobs, boundary: boundary)
        let clock = Clock()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await chunk in request.body {
                        clock.arrived(chunk.readableBytes)
                        await state.waitForRoom(chunk.readableBytes)
                        try state.feed(chunk)
                    }
                    try state.finish()
                }
                group.addTask { try await clock.watch(limits) }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            state.abort()
            if let upload = error as? UploadError { throw upload }
            if error is CancellationError { throw UploadError.tooLong }
            throw UploadError.bad("the upload could not be read: \(error)")
        }
        return state.upload
    }

    static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}

/// Bytes arriving over time, and the watchdog that cuts a stalled or trickling body.
private final class Clock: Sendable {
    private struct Counters {
        var bytes: Int64 = 0
        var last = ContinuousClock.now
    }
    private let counters = Mutex(Counters())
    private let started = ContinuousClock.now

    func arrived(_ count: Int) {
        counters.withLock {
            $0.bytes += Int64(count)
            $0.last = .now
        }
    }

    func watch(_ limits: UploadLimits) async throws {
        while true {
            try await Task.sleep(for: .milliseconds(250))
            let (bytes, last) = counters.withLock { ($0.bytes, $0.last) }
            let elapsed = ContinuousClock.now - started
            if ContinuousClock.now - last > .seconds(limits.idleSeconds) { throw UploadError.idle }
            if elapsed > .seconds(limits.totalSeconds) { throw UploadError.tooLong }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if seconds > limits.graceSeconds, Double(bytes) / seconds < limits.minimumBytesPerSecond { throw UploadError.slow }
        }
    }
}

/// The parser and what it has produced; used by one task at a time.
private final class ParseState: @unchecked Sendable {
    let limits: UploadLimits
    let blobs: any BlobStore
    var parser: MultipartStreamParser
    var upload = ReceivedUpload()
    var parts = 0
    var total: Int64 = 0
    var inPart = false
    // The part being read.
    var field: (name: String, value: Data)?
    var file: (name: String, filename: String, writer: any BlobWriter, leading: Data, bytes: Int64)?

    init(limits: UploadLimits, blobs: any BlobStore, boundary: String) {
        self.limits = limits
        self.blobs = blobs
        parser = MultipartStreamParser(boundary: boundary)
        parser.onPartBegin = { [unowned self] headers in try beginPart(headers) }
        parser.onBody = { [unowned self] bytes in try body(bytes) }
        parser.onPartComplete = { [unowned self] in try complete() }
    }

    func feed(_ chunk: ByteBuffer) throws {
        total += Int64(chunk.readableBytes)
        guard total <= limits.maxRequestBytes else {
            throw UploadError.tooLarge("the upload is larger than the \(UploadReceiver.megabytes(limits.maxRequestBytes)) allowed")
        }
        do {
            try chunk.withUnsafeReadableBytes { try parser.execute($0) }
        } catch let error as MultipartStreamParser.SyntaxError {
            throw UploadError.bad("the multipart body is malformed: \(error.description)")
        }
    }

    /// Waits until the file being received can take `bytes` without blocking this thread. (A part that
    /// begins inside the chunk gets a new writer, which has room for four buffers.)
    func waitForRoom(_ bytes: Int) async {
        await file?.writer.waitForRoom(bytes)
    }

    /// Drops every file written so far, the one being received included (not left to `deinit`).
    func abort() {
        upload.abort()
        file?.writer.abort()
    }

    func finish() throws {
        guard parser.isComplete, parts > 0, !inPart, field == nil, file == nil else {
            throw UploadError.bad("the multipart body ended early (truncated)")
        }
    }

    private func beginPart(_ headers: [(name: String, value: String)]) throws {
        inPart = true
        parts += 1
        guard parts <= limits.maxParts else { throw UploadError.bad("the upload has more than \(limits.maxParts) parts") }
        let disposition = headers.first { $0.name.lowercased() == "content-disposition" }?.value ?? ""
        let name = Self.parameter("name", in: disposition) ?? ""
        if let filename = Self.parameter("filename", in: disposition) {
            guard upload.files.count < limits.maxFiles else { throw UploadError.bad("at most \(limits.maxFiles) files per request") }
            file = (name, FilenameSanitizer.sanitize(filename), try blobs.makeWriter(), Data(), 0)
        } else {
            field = (name, Data())
        }
    }

    private func body(_ bytes: UnsafeRawBufferPointer) throws {
        if var current = file {
            current.bytes += Int64(bytes.count)
            guard current.bytes <= limits.maxFileBytes else {
                current.writer.abort()
                file = nil
                throw UploadError.tooLarge("\(current.filename) is larger than the \(UploadReceiver.megabytes(limits.maxFileBytes)) allowed per file")
            }
            if current.leading.count < MediaSniffer.headerLength {
                current.leading.append(contentsOf: bytes.prefix(MediaSniffer.headerLength - current.leading.count))
            }
            try current.writer.write(raw: bytes)
            file = current
        } else if var current = field {
            current.value.append(contentsOf: bytes)
            guard current.value.count <= 64 << 10 else { throw UploadError.tooLarge("the field \(current.name) is too long") }
            field = current
        }
    }

    private func complete() throws {
        defer {
            inPart = false
            field = nil
            file = nil
        }
        if let current = file {
            guard current.bytes > 0 else {
                current.writer.abort()
                if current.filename.isEmpty || current.filename == "file" { return }  // an empty file input
                throw UploadError.bad("\(current.filename) is empty")
            }
            let verdict = MediaSniffer.sniff(current.leading)
            guard UploadLimits.acceptedPrefixes.contains(where: verdict.mime.hasPrefix) else {
                current.writer.abort()
                throw UploadError.unsupported(current.filename, verdict.mime)
            }
            upload.files.append(.init(filename: current.filename, mime: verdict.mime, leading: current.leading, writer: current.writer))
        } else if let current = field {
            upload.fields[current.name, default: []].append(String(decoding: current.value, as: UTF8.self))
        }
    }

    /// A `name="value"` parameter of a Content-Disposition header.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
