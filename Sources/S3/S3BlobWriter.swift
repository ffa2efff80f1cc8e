import Blobs
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// A blob streamed into an S3-compatible store: the bytes go up as a multipart upload under a key of its own
/// (`incoming/<uuid>`) while they arrive, with the whole blob's SHA-256 hashed on the way; `commit` completes
/// the upload and copies it to its content address (the same key as the local store's path), unless a blob
/// with those bytes is there already.
///
/// The `BlobWriter` contract: `write` only appends to a small buffer; the network work happens in
/// `waitForRoom` (which async callers call before each write, so at most about a megabyte waits here, and
/// the upload holds two parts) and in `commit`. A failure surfaces at the next `write` or at `commit`.
final class S3BlobWriter: BlobWriter, @unchecked Sendable {
    /// Bytes gathered before they are handed to the upload.
    static let flushBytes = 1 << 20

    private struct State {
        var pending = Data()
        var written: Int64 = 0
        var failure: String?
        var finished = false
    }

    private let client: S3Client
    private let key: String
    private let state = NIOLockedValueBox(State())
    /// Used by one task at a time (the writer's caller), as `S3MultipartWriter` requires.
    nonisolated(unsafe) private var upload: S3MultipartWriter

    init(client: S3Client) throws {
        self.client = client
        key = "incoming/\(UUID().uuidString.lowercased())"
        do { upload = try S3MultipartWriter(client: client, key: key) } catch { throw BlobError.writeFailed("\(error)") }
    }

    var bytesWritten: Int64 { state.withLockedValue { $0.written } }

    func write(_ bytes: Data) throws {
        try state.withLockedValue { state in
            if let failure = state.failure { throw BlobError.writeFailed(failure) }
            guard !state.finished else { throw BlobError.writeFailed("writer already finished") }
            state.pending.append(bytes)
            state.written += Int64(bytes.count)
        }
    }

    func waitForRoom(_ bytes: Int) async {
        let chunk: Data? = state.withLockedValue { state in
            guard state.failure == nil, !state.finished, state.pending.count + bytes > Self.flushBytes, !state.pending.isEmpty else { return nil }
            defer { state.pending = Data() }
            return state.pending
        }
        guard let chunk else { return }
        do {
            try await upload.write(chunk)
        } catch {
            state.withLockedValue { $0.failure = "uploading to the object store failed: \(error)" }
        }
    }

    func commit(in namespace: BlobNamespace) async throws -> StoredBlob {
        let rest: Data = try state.withLockedValue { state in
            if let failure = state.failure { throw BlobError.writeFailed(failure) }
            guard !state.finished else { throw BlobError.writeFailed("writer already finished") }
            state.finished = true
            defer { state.pending = Data() }
            return state.pending
        }
        do {
            if !rest.isEmpty { try await upload.write(rest) }
            let result = try await upload.finish()
            let path = namespace.path(sha256: result.sha256)
            if try await client.headObject(key: path) == nil {
                try await client.copyObject(from: key, to: path, size: result.size)
            }
            try await client.deleteObject(key: key)
            return StoredBlob(path: path, sha256: result.sha256, bytes: result.size)
        } catch {
            await upload.abort()
            try? await client.deleteObject(key: key)
            throw BlobError.writeFailed("storing in the object store failed: \(error)")
        }
    }

    func abort() {
        let wasOpen = state.withLockedValue { state -> Bool in
            defer { state.finished = true }
            return !state.finished
        }
        guard wasOpen else { return }
        // Nothing waits for the store to drop the parts; what a lost abort leaves is swept after a day.
        nonisolated(unsafe) let upload = self.upload
        Task { await upload.abort() }
    }
}
