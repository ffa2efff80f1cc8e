import Crypto
import Dispatch
import Glibc
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

/// Streams bytes into a temporary file while hashing them.
///
/// Writes are gathered into 1 MiB buffers; each full buffer is hashed and written by a serial queue of the
/// writer's own while the caller goes on (parsing the next part of an upload), with at most four buffers in
/// flight, so memory stays bounded (≤ 5 MiB a writer) and the two halves of the work use two cores.
/// A write error surfaces at the next `write` or at `commit`; nothing is visible before `commit`.
final class LocalBlobWriter: BlobWriter, @unchecked Sendable {
    static let bufferSize = 1 << 20
    static let buffersInFlight = 4

    /// Owned by `queue` once the writer is open.
    private final class Sink: @unchecked Sendable {
        var descriptor: Int32
        var hasher = SHA256()
        var failure: String?
        init(descriptor: Int32) { self.descriptor = descriptor }
    }

    private struct State {
        var buffer: UnsafeMutableRawBufferPointer?
        var filled = 0
        var bytes: Int64 = 0
        var finished = false
        /// Buffers the queue is done with, reused rather than freed: allocating and freeing 1 MiB blocks on
        /// different threads left glibc's arenas holding tens of MiB (bench/upload's RSS growth).
        var spare: [UnsafeMutableRawBufferPointer] = []
        /// The queue's write error, for the next `write` to report.
        var failure: String?
    }

    private let root: URL
    private let temporary: URL
    private let sink: Sink
    private let queue = DispatchQueue(label: "drsocial.blob-writer")
    private let slots = DispatchSemaphore(value: LocalBlobWriter.buffersInFlight)
    private let lock = NSLock()
    private var current = State()

    init(root: URL) throws {
        self.root = root
        self.temporary = root.appending(path: "tmp/\(UUID().uuidString.lowercased()).part")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BlobError.writeFailed("cannot create \(temporary.lastPathComponent) in \(root.path)/tmp (errno \(errno))")
        }
        sink = Sink(descriptor: descriptor)
    }

    deinit { abort() }

    var bytesWritten: Int64 { lock.withLock { current.bytes } }

    func write(_ bytes: Data) throws {
        try bytes.withUnsafeBytes { try write(raw: $0) }
    }

    /// Copies `bytes` into the current buffer, handing full buffers to the queue.
    func write(raw bytes: UnsafeRawBufferPointer) throws {
        try lock.withLock {
            guard !current.finished else { throw BlobError.writeFailed("writer already finished") }
            // Never wait for the queue here: its blocks take this lock to hand buffers back.
            if let failure = current.failure { throw BlobError.writeFailed(failure) }
            var offset = 0
            while offset < bytes.count {
                if current.buffer == nil {
                    lock.unlock()
                    slots.wait()
                    lock.lock()
                    current.buffer = current.spare.popLast() ?? .allocate(byteCount: Self.bufferSize, alignment: 64)
                    current.filled = 0
                }
                let buffer = current.buffer!
                let count = min(bytes.count - offset, Self.bufferSize - current.filled)
                UnsafeMutableRawBufferPointer(rebasing: buffer[current.filled..<(current.filled + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
                current.filled += count
                current.bytes += Int64(count)
                offset += count
                if current.filled == Self.bufferSize { hand() }
            }
        }
    }

    /// Gives the current buffer to the queue: hash, write, free. Called with the lock held.
    private func hand() {
        guard let buffer = current.buffer else { return }
        let count = current.filled
        current.buffer = nil
        current.filled = 0
        let sink = self.sink
        let chunk = UncheckedBuffer(buffer: buffer, count: count)
        queue.async { [self] in
            defer {
                lock.withLock { current.spare.append(chunk.buffer) }
                slots.signal()
            }
            guard sink.failure == nil, sink.descriptor >= 0 else { return }
            let bytes = UnsafeRawBufferPointer(rebasing: chunk.buffer[0..<chunk.count])
            sink.hasher.update(bufferPointer: bytes)
            var written = 0
            while written < bytes.count {
                let result = Glibc.write(sink.descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    let failure = "write failed (errno \(errno))"
                    sink.failure = failure
                    lock.withLock { current.failure = failure }
                    return
                }
                written += result
            }
        }
    }

    func commit(in namespace: BlobNamespace) throws -> StoredBlob {
        let bytes: Int64 = try lock.withLock {
            guard !current.finished else { throw BlobError.writeFailed("writer already finished") }
            hand()
            current.finished = true
            return current.bytes
        }
        let sink = self.sink
        let digest: String = try queue.sync {
            defer {
                if sink.descriptor >= 0 { close(sink.descriptor) }
                sink.descriptor = -1
            }
            if let failure = sink.failure { throw BlobError.writeFailed(failure) }
            guard fsync(sink.descriptor) == 0 else { throw BlobError.writeFailed("fsync failed (errno \(errno))") }
            return sink.hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
        releaseBuffers()
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
        let pending = lock.withLock { () -> UnsafeMutableRawBufferPointer? in
            defer { current.buffer = nil; current.finished = true }
            return current.buffer
        }
        if let pending {
            lock.withLock { current.spare.append(pending) }
            slots.signal()
        }
        let sink = self.sink
        let wasOpen = queue.sync { () -> Bool in
            defer { sink.descriptor = -1 }
            if sink.descriptor >= 0 { close(sink.descriptor); return true }
            return false
        }
        releaseBuffers()
        if wasOpen || FileManager.default.fileExists(atPath: temporary.path) {
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    /// Frees the reusable buffers once the queue has finished with them all.
    private func releaseBuffers() {
        queue.sync {}
        let spare = lock.withLock { () -> [UnsafeMutableRawBufferPointer] in
            defer { current.spare = [] }
            return current.spare
        }
        spare.forEach { $0.deallocate() }
    }
}

/// A filled buffer on its way to the writer's queue.
private struct UncheckedBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    let count: Int
}
