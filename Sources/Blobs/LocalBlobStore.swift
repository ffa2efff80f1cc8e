import Crypto
public import Foundation
import Synchronization

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

/// Streams bytes into a temporary file while hashing them.
final class LocalBlobWriter: BlobWriter {
    private struct State {
        var handle: FileHandle?
        var hasher = SHA256()
        var bytes: Int64 = 0
        var finished = false
    }

    private let root: URL
    private let temporary: URL
    private let state: Mutex<State>

    init(root: URL) throws {
        self.root = root
        self.temporary = root.appending(path: "tmp/\(UUID().uuidString.lowercased()).part")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw BlobError.writeFailed("cannot create \(temporary.lastPathComponent) in \(root.path)/tmp")
        }
        self.state = Mutex(State(handle: try FileHandle(forWritingTo: temporary)))
    }

    deinit { abort() }

    var bytesWritten: Int64 { state.withLock { $0.bytes } }

    func write(_ bytes: Data) throws {
        try state.withLock { state in
            guard let handle = state.handle, !state.finished else { throw BlobError.writeFailed("writer already finished") }
            try handle.write(contentsOf: bytes)
            state.hasher.update(data: bytes)
            state.bytes += Int64(bytes.count)
        }
    }

    func commit(in namespace: BlobNamespace) throws -> StoredBlob {
        let (digest, bytes): (String, Int64) = try state.withLock { state in
            guard let handle = state.handle, !state.finished else { throw BlobError.writeFailed("writer already finished") }
            try handle.synchronize()
            try handle.close()
            state.handle = nil
            state.finished = true
            let digest = state.hasher.finalize().map { String(format: "%02x", $0) }.joined()
            return (digest, state.bytes)
        }
        let path = namespace.path(sha256: digest)
        let destination = root.appending(path: path)
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            if manager.fileExists(atPath: destination.path) {
                // Same address, same bytes: keep the stored copy.
                try? manager.removeItem(at: temporary)
            } else if rename(temporary.path, destination.path) != 0 {
                throw BlobError.writeFailed("rename into place failed (errno \(errno))")
            }
        } catch {
            try? manager.removeItem(at: temporary)
            throw error
        }
        return StoredBlob(path: path, sha256: digest, bytes: bytes)
    }

    func abort() {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.handle = nil; state.finished = true }
            try? state.handle?.close()
            return state.handle != nil
        }
        if wasOpen || FileManager.default.fileExists(atPath: temporary.path) {
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}
