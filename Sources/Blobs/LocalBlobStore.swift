public import Foundation

/// Blobs in a local directory (`STORAGE_DIR`): written to `tmp/`, fsynced, then renamed into place.
public struct LocalBlobStore: BlobStore {
    public let root: URL

    /// Opens (and creates) the store at `root`.
    public init(root: URL) throws {
        self.root = root.standardizedFileURL
        try FileManager.default.createDirectory(at: self.root.appending(path: "tmp"), withIntermediateDirectories: true)
    }

    public func makeWriter() throws -> any BlobWriter {
        try LocalBlobWriter(root: root)
    }

    public func localFile(for path: String) async throws -> URL { try file(for: path) }

    /// The blob's file, at once (a local store needs no waiting).
    public func file(for path: String) throws -> URL {
        let url = try resolve(path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw BlobError.missing(path) }
        return url
    }

    public func exists(_ path: String) async -> Bool {
        guard let url = try? resolve(path) else { return false }
        return FileManager.default.fileExists(atPath: url.path)
    }

    public func read(_ path: String) async throws -> Data {
        let url = try file(for: path)
        return try await BlockingIO.run { try Data(contentsOf: url) }
    }

    /// Maps a stored path to a file, refusing anything that would leave the root.
    private func resolve(_ path: String) throws -> URL {
        let parts = path.split(separator: "/")
        guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else {
            throw BlobError.badPath(path)
        }
        return root.appending(path: path)
    }
}
