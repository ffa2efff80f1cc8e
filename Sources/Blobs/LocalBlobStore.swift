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

    public func localFile(for path: String) throws -> URL {
        let url = try resolve(path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw BlobError.missing(path) }
        return url
    }

    public func exists(_ path: String) -> Bool {
        guard let url = try? resolve(path) else { return false }
        return FileManager.default.fileExists(atPath: url.path)
    }

    public func read(_ path: String) throws -> Data {
        try Data(contentsOf: try localFile(for: path))
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
