import Crypto
public import Foundation

/// A bounded local copy of blobs kept elsewhere (an object store), for the libraries that read files: libav,
/// Tesseract and PocketSphinx. A blob is fetched once per daemon and kept while there is room; past
/// `maxBytes` the least recently used files go (a file in use by a running stage is open, so deleting its
/// name does not disturb the reader). The folder is emptied when the cache opens: a daemon that died
/// mid-download leaves nothing another could trust.
///
/// Each file is fetched to a temporary name, checked against the SHA-256 its content address ends with, and
/// renamed into place; two tasks asking for the same blob share one download.
public actor ScratchCache {
    public let directory: URL
    public let maxBytes: Int64
    private var downloads: [String: Task<URL, any Error>] = [:]

    /// Opens the cache in `directory`, emptying it.
    public init(directory: URL, maxBytes: Int64) throws {
        self.directory = directory.standardizedFileURL
        self.maxBytes = maxBytes
        try? FileManager.default.removeItem(at: self.directory)
        try FileManager.default.createDirectory(at: self.directory.appending(path: "tmp"), withIntermediateDirectories: true)
    }

    /// The local file of blob `path`, fetched with `fetch` (which writes the blob's bytes into the file it is
    /// given) when it is not here.
    public func file(for path: String, fetch: @escaping @Sendable (URL) async throws -> Void) async throws -> URL {
        let target = directory.appending(path: "blobs").appending(path: path)
        if FileManager.default.fileExists(atPath: target.path) {
            touch(target)
            return target
        }
        if let running = downloads[path] { return try await running.value }
        let temporary = directory.appending(path: "tmp/\(UUID().uuidString)")
        let expected = path.split(separator: "/").last.map(String.init)
        let task = Task { () throws -> URL in
            defer { try? FileManager.default.removeItem(at: temporary) }
            _ = FileManager.default.createFile(atPath: temporary.path, contents: nil)
            try await fetch(temporary)
            if let expected, expected.count == 64 {
                let actual = try await BlockingIO.run { try ScratchCache.sha256(of: temporary) }
                guard actual == expected else {
                    throw BlobError.writeFailed("the copy of \(path) fetched from the object store has SHA-256 \(actual)")
                }
            }
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if rename(temporary.path, target.path) != 0, !FileManager.default.fileExists(atPath: target.path) {
                throw BlobError.writeFailed("cannot move the fetched copy of \(path) into the scratch cache (errno \(errno))")
            }
            return target
        }
        downloads[path] = task
        defer { downloads[path] = nil }
        let file = try await task.value
        evict(keeping: file)
        return file
    }

    /// Marks a file as just used (its modification time orders eviction).
    private func touch(_ file: URL) {
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file.path)
    }

    /// Deletes the least recently used files until the cache fits, never `keeping`.
    private func evict(keeping: URL) {
        let root = directory.appending(path: "blobs")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey])
        else { return }
        var files: [(url: URL, size: Int64, used: Date)] = []
        var total: Int64 = 0
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey]),
                values.isRegularFile == true
            else { continue }
            let size = Int64(values.fileSize ?? 0)
            total += size
            files.append((url, size, values.contentModificationDate ?? .distantPast))
        }
        guard total > maxBytes else { return }
        for file in files.sorted(by: { $0.used < $1.used }) where total > maxBytes && file.url.standardizedFileURL != keeping.standardizedFileURL {
            try? FileManager.default.removeItem(at: file.url)
            total -= file.size
        }
    }

    /// Hex SHA-256 of a file, read in 1 MiB chunks.
    static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
