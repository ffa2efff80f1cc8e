public import Blobs
public import Foundation
import NIOCore

/// Blobs in an S3-compatible object store (`BLOB_STORE_URL=s3://bucket/prefix`): the store every daemon on
/// every host shares. Keys are the local store's paths (content addresses under the tenant's and talent's
/// prefix). Libraries that read files get a copy from this daemon's `ScratchCache`.
public struct S3BlobStore: BlobStore, BlobPresigning {
    public let client: S3Client
    public let scratch: ScratchCache
    /// The size of each ranged GET that fills a scratch copy.
    static let rangeBytes: Int64 = 16 << 20

    public init(client: S3Client, scratch: ScratchCache) {
        self.client = client
        self.scratch = scratch
    }

    public func makeWriter() throws -> any BlobWriter {
        try S3BlobWriter(client: client)
    }

    public func localFile(for path: String) async throws -> URL {
        try Self.check(path)
        let client = self.client
        return try await scratch.file(for: path) { file in
            guard let head = try await client.headObject(key: path) else { throw BlobError.missing(path) }
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }
            var offset: Int64 = 0
            while offset < head.size {
                let end = min(head.size, offset + Self.rangeBytes) - 1
                let part = try await client.getObject(key: path, range: offset...end, maximumBytes: Int(Self.rangeBytes))
                let bytes = Data(part.readableBytesView)
                try await BlockingIO.run { try handle.write(contentsOf: bytes) }
                offset = end + 1
            }
        }
    }

    public func exists(_ path: String) async throws -> Bool {
        try Self.check(path)
        return try await client.headObject(key: path) != nil
    }

    public func read(_ path: String) async throws -> Data {
        try Self.check(path)
        do {
            return Data(try await client.getObject(key: path).readableBytesView)
        } catch where error.isNotFound {
            throw BlobError.missing(path)
        }
    }

    /// Aborts uploads under `incoming/` started more than `age` ago: what a daemon that died mid-upload left
    /// (a live upload of that age would be one of a day-long request). Returns how many it aborted.
    public func sweepIncompleteUploads(olderThan age: Duration = .seconds(86_400)) async throws -> Int {
        try await client.abortMultipartUploads(startedBefore: Date().addingTimeInterval(-Double(age.components.seconds)), prefix: "incoming/")
    }

    /// A presigned GET of the blob for `expires` (for backends and browsers that take a URL).
    public func presignedURL(for path: String, expires: Duration) throws -> URL {
        try Self.check(path)
        return try client.presignedGetURL(key: path, expires: expires)
    }

    /// Refuses a path no store could have written (the local store refuses the same).
    static func check(_ path: String) throws {
        let parts = path.split(separator: "/")
        guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else {
            throw BlobError.badPath(path)
        }
    }
}
