public import Foundation

/// Where blobs live: a local directory now, an S3-compatible store later, behind the same protocol.
///
/// Blobs are content-addressed by SHA-256 under a per-tenant, per-talent prefix, so storing the same
/// bytes twice costs nothing and a path never depends on a name a client chose.
///
/// ```swift
/// let writer = try store.makeWriter()
/// try writer.write(chunk)                      // as bytes arrive
/// let blob = try writer.commit(in: .talent(tenantID: t, talentID: u))
/// ```
public protocol BlobStore: Sendable {
    /// Starts writing a new blob; nothing is visible until `commit`.
    func makeWriter() throws -> any BlobWriter
    /// A local file holding the blob, for libraries that read files (media analysis): the file itself in a
    /// local store, a copy in this daemon's scratch cache for an object store.
    func localFile(for path: String) async throws -> URL
    /// Whether a blob exists at `path`.
    func exists(_ path: String) async throws -> Bool
    /// Reads a whole (small) blob.
    func read(_ path: String) async throws -> Data
}

extension BlobStore {
    /// Stores a local file's bytes, streaming it through a writer (reads off the cooperative pool).
    public func store(file: URL, in namespace: BlobNamespace, chunkSize: Int = 1 << 20) async throws -> StoredBlob {
        guard let handle = try? FileHandle(forReadingFrom: file) else {
            throw BlobError.unreadable(file.path)
        }
        defer { try? handle.close() }
        let writer = try makeWriter()
        do {
            while true {
                await writer.waitForRoom(chunkSize)
                guard let chunk = try await BlockingIO.run({ try handle.read(upToCount: chunkSize) }), !chunk.isEmpty else { break }
                try writer.write(chunk)
            }
            return try await writer.commit(in: namespace)
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Stores bytes held in memory.
    public func store(data: Data, in namespace: BlobNamespace) async throws -> StoredBlob {
        let writer = try makeWriter()
        do {
            var offset = 0
            repeat {
                let end = min(data.count, offset + (1 << 20))
                await writer.waitForRoom(end - offset)
                try writer.write(data[offset..<end])
                offset = end
            } while offset < data.count
            return try await writer.commit(in: namespace)
        } catch {
            writer.abort()
            throw error
        }
    }
}

/// A blob being written: bytes stream in, are hashed on the way, and appear only on `commit`.
public protocol BlobWriter: AnyObject, Sendable {
    /// Bytes written so far.
    var bytesWritten: Int64 { get }
    /// Appends bytes.
    func write(_ bytes: Data) throws
    /// Appends bytes without an intermediate `Data` (streamed uploads).
    func write(raw bytes: UnsafeRawBufferPointer) throws
    /// Suspends until `write` can take `bytes` without blocking its thread (async callers call this
    /// first, so a slow store never holds a thread of the cooperative pool).
    func waitForRoom(_ bytes: Int) async
    /// Makes the blob visible under its content address and returns where it is (durably: a local store
    /// fsyncs off the cooperative pool, an object store completes the upload).
    func commit(in namespace: BlobNamespace) async throws -> StoredBlob
    /// Drops everything written; safe to call more than once and after a failed commit.
    func abort()
}

extension BlobWriter {
    public func write(raw bytes: UnsafeRawBufferPointer) throws { try write(Data(bytes)) }
    public func waitForRoom(_ bytes: Int) async {}
}

/// Whose blob it is: the first part of its path.
public enum BlobNamespace: Sendable, Equatable {
    case talent(tenantID: UUID, talentID: UUID)
    /// Blobs no talent owns yet (a refused email kept for operators).
    case unassigned

    var pathPrefix: String {
        switch self {
        case .talent(let tenantID, let talentID):
            "tenants/\(tenantID.uuidString.lowercased())/talents/\(talentID.uuidString.lowercased())"
        case .unassigned:
            "unassigned"
        }
    }

    /// The content address of a blob with this digest.
    public func path(sha256: String) -> String {
        "\(pathPrefix)/sha256/\(sha256.prefix(2))/\(sha256)"
    }
}

/// A stored blob.
public struct StoredBlob: Sendable, Equatable {
    /// The blob's path inside the store (what `storage_path` records).
    public let path: String
    /// Lower-case hex SHA-256 of the bytes.
    public let sha256: String
    public let bytes: Int64

    public init(path: String, sha256: String, bytes: Int64) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// A blob could not be stored or read.
public struct BlobError: Error, CustomStringConvertible {
    private enum Code { case unreadable, missing, writeFailed, badPath }
    private let code: Code
    public let description: String

    public static func unreadable(_ path: String) -> BlobError {
        BlobError(code: .unreadable, description: "cannot read \(path)")
    }
    public static func missing(_ path: String) -> BlobError { BlobError(code: .missing, description: "no blob at \(path)") }
    public static func writeFailed(_ reason: String) -> BlobError {
        BlobError(code: .writeFailed, description: "storing a blob failed: \(reason)")
    }
    public static func badPath(_ path: String) -> BlobError {
        BlobError(code: .badPath, description: "refusing blob path \(path)")
    }
}

/// A store that can hand out a URL for a blob (an object store's presigned GET), for backends that take media
/// by URL rather than as files.
public protocol BlobPresigning: Sendable {
    /// A URL that reads the blob until `expires` has passed.
    func presignedURL(for path: String, expires: Duration) throws -> URL
}
