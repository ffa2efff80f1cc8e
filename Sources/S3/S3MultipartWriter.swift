import Crypto
public import Foundation
import Logging
public import NIOCore

/// Streams one object into the store with bounded memory: bytes are buffered up to `partSize`, each full part
/// is sent (with its own SHA-256 declared) while the next one fills, so at most two parts are held at once, in
/// two buffers used in turn; the whole object's SHA-256 is hashed on the way. An object smaller than one part
/// goes in a single `PUT`.
///
/// It belongs to one task: `write`, `finish` and `abort` are called one after another, never concurrently.
/// After a failure, call `abort()` so that the store drops the parts it holds (a writer that is simply dropped
/// leaves them until `S3Client.abortMultipartUploads(startedBefore:)` cleans up).
///
/// ```swift
/// let writer = try S3MultipartWriter(client: client, key: "talent/…/video")
/// do {
///     for try await chunk in request.body { try await writer.write(chunk) }
///     let stored = try await writer.finish()   // stored.sha256, stored.size
/// } catch {
///     await writer.abort()
///     throw error
/// }
/// ```
public final class S3MultipartWriter {
    /// The smallest part S3 accepts, but for the last: 5 MiB.
    public static let minimumPartSize = 5 << 20
    /// The part size used unless told otherwise: 8 MiB.
    public static let defaultPartSize = 8 << 20
    /// S3's limit on the number of parts.
    static let maximumParts = 10_000

    public let client: S3Client
    /// The key, relative to the configured prefix.
    public let key: String
    public let partSize: Int
    /// Bytes written so far.
    public private(set) var bytesWritten: Int64 = 0

    private enum State { case open, finished, aborted, failed }
    private var state = State.open
    private var wholeHash = SHA256()
    private var partHash = SHA256()
    private var part: ByteBuffer
    private var uploadID: String?
    private var parts: [S3UploadedPart] = []
    /// The part being sent while the next one fills, and its buffer.
    private var inFlight: (task: Task<S3UploadedPart, any Error>, buffer: ByteBuffer)?
    /// The buffer of the part sent last, to fill again: two buffers in turn rather than a new one for each
    /// part, whose freed memory the allocator might keep.
    private var spare: ByteBuffer?

    /// - Parameter partSize: 5 MiB to 5 GiB; default 8 MiB. An object can have at most 10 000 parts, so the
    ///   part size bounds the object's size (78 GiB at 8 MiB).
    public init(client: S3Client, key: String, partSize: Int = S3MultipartWriter.defaultPartSize) throws(S3Error) {
        guard (Self.minimumPartSize...(5 << 30)).contains(partSize) else {
            throw .configuration("a part is 5 MiB to 5 GiB, not \(partSize) bytes")
        }
        self.client = client
        self.key = key
        self.partSize = partSize
        part = ByteBufferAllocator().buffer(capacity: partSize)
    }

    // MARK: Writing

    /// Appends bytes; sends a part each time one is full (waiting, first, for the part before it).
    public func write(_ chunk: ByteBuffer) async throws(S3Error) {
        guard state == .open else { throw .configuration("the writer for \(key) is \(state)") }
        var chunk = chunk
        while chunk.readableBytes > 0 {
            let count = min(chunk.readableBytes, partSize - part.readableBytes)
            let slice = chunk.readSlice(length: count)!
            slice.withUnsafeReadableBytes { bytes in
                wholeHash.update(bufferPointer: bytes)
                partHash.update(bufferPointer: bytes)
            }
            part.writeImmutableBuffer(slice)
            bytesWritten += Int64(count)
            if part.readableBytes == partSize { try await sendPart() }
        }
    }

    /// Appends bytes held in memory.
    public func write(_ data: Data) async throws(S3Error) {
        try await write(ByteBuffer(bytes: data))
    }

    /// Sends what is buffered and completes the object: the last part and `CompleteMultipartUpload` (which
    /// checks the store's composite checksum, see `S3Client.completeMultipartUpload`), or a single `PUT` when
    /// everything fit in one part.
    public func finish() async throws(S3Error) -> S3UploadResult {
        guard state == .open else { throw .configuration("the writer for \(key) is \(state)") }
        let sha256 = SigV4Signer.hex(wholeHash.finalize())
        do {
            guard uploadID != nil else {
                let digest = partHash.finalize()
                let put = try await client.putObject(key: key, body: part, checksumSHA256: digest)
                state = .finished
                return S3UploadResult(key: key, sha256: sha256, size: bytesWritten, parts: 1, etag: put.etag)
            }
            if part.readableBytes > 0 { try await sendPart() }
            try await awaitInFlight()
            let completed = try await client.completeMultipartUpload(key: key, uploadID: uploadID!, parts: parts)
            state = .finished
            return S3UploadResult(key: key, sha256: sha256, size: bytesWritten, parts: parts.count, etag: completed.etag)
        } catch {
            state = .failed
            throw error
        }
    }

    /// Aborts the upload: stops waiting for a part in flight and asks the store to drop the parts it holds.
    /// Best effort: a failure to abort is not thrown (the stale-upload sweep catches what is left).
    public func abort() async {
        guard state != .finished, state != .aborted else { return }
        state = .aborted
        inFlight?.task.cancel()
        _ = try? await inFlight?.task.value
        inFlight = nil
        (part, spare) = (ByteBuffer(), nil)
        guard let uploadID else { return }
        do { try await client.abortMultipartUpload(key: key, uploadID: uploadID) } catch {
            client.logger.warning("could not abort a multipart upload", metadata: ["key": "\(key)", "error": "\(error)"])
        }
    }

    // MARK: Parts

    /// Hands the buffered part to a task that sends it, once the part before it has been sent.
    private func sendPart() async throws(S3Error) {
        do throws(S3Error) {
            if uploadID == nil { uploadID = try await client.createMultipartUpload(key: key) }
            try await awaitInFlight()
            let number = parts.count + 1
            guard number <= Self.maximumParts else {
                throw S3Error.configuration("\(key) needs more than \(Self.maximumParts) parts of \(partSize) bytes")
            }
            let (client, key, uploadID, body, digest) = (client, key, uploadID!, part, partHash.finalize())
            let task = Task {
                try await client.uploadPart(key: key, uploadID: uploadID, partNumber: number, body: body, checksumSHA256: digest)
            }
            inFlight = (task, body)
            if var reused = spare {
                spare = nil
                reused.clear()  // keeps its memory when nothing else holds it any more
                part = reused
            } else {
                part = ByteBufferAllocator().buffer(capacity: partSize)
            }
            partHash = SHA256()
        } catch {
            state = .failed
            throw error
        }
    }

    /// Waits for the part in flight and records it.
    private func awaitInFlight() async throws(S3Error) {
        guard let (task, buffer) = inFlight else { return }
        inFlight = nil
        spare = buffer
        do { parts.append(try await task.value) } catch let error as S3Error { throw error } catch {
            throw S3Error(.cancelled, "cancelled", operation: "upload part \(parts.count + 1)")
        }
    }
}
