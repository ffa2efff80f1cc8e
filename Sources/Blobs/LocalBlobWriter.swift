import Crypto
import Dispatch
import Foundation
import Glibc

/// Streams bytes into a temporary file while hashing them.
///
/// - Writes are copied into 1 MiB page-aligned buffers and hashed as they are copied, while the bytes are
///   in this core's cache. (Hashed later on the writing thread, after another core had copied them,
///   SHA-256 ran at about 650 MB/s instead of 1 GB/s: bench/upload under perf.)
/// - Full buffers go to two serial queues of the writer's own, in turn, each writing at the buffer's own
///   offset, while the caller goes on parsing the next part of an upload. With one queue the disk sat idle
///   whenever the thread that had to issue the next write was waiting for a core.
/// - At most four buffers are in flight, so memory stays bounded (≤ 4 MiB a writer). An async caller
///   awaits room with `waitForRoom` first, so the wait for a free buffer never holds a thread of the
///   cooperative pool (two here: two uploads blocked on the disk stalled every other request).
/// - Whole buffers are written with direct I/O where the file system allows it (`BlobFile`).
/// - A write error surfaces at the next `write` or at `commit`; nothing is visible before `commit`.
final class LocalBlobWriter: BlobWriter, @unchecked Sendable {
    static let bufferSize = 1 << 20
    static let buffersInFlight = 4

    private struct State {
        var buffer: UnsafeMutableRawBufferPointer?
        var filled = 0
        var bytes: Int64 = 0
        /// Buffers handed to the queues so far: the next one's offset and queue.
        var handed = 0
        var hasher = SHA256()
        var finished = false
        /// Buffers the queues are done with, reused rather than freed: allocating and freeing 1 MiB blocks
        /// on different threads left glibc's arenas holding tens of MiB (bench/upload's RSS growth).
        var spare: [UnsafeMutableRawBufferPointer] = []
        /// The first write error of either queue, for the next `write` to report.
        var failure: String?
        /// Buffers that may be filled before a queue hands one back.
        var freeBuffers = LocalBlobWriter.buffersInFlight
        /// Async callers waiting for room for so many bytes.
        var waiters: [(bytes: Int, continuation: CheckedContinuation<Void, Never>)] = []

        /// Bytes `write` can take now without waiting.
        var room: Int {
            (buffer == nil ? 0 : LocalBlobWriter.bufferSize - filled) + freeBuffers * LocalBlobWriter.bufferSize
        }

        /// Removes and returns the waiters that need wait no longer.
        mutating func readyWaiters() -> [CheckedContinuation<Void, Never>] {
            let (done, room) = (finished || failure != nil, self.room)
            let ready = waiters.filter { done || $0.bytes <= room }.map(\.continuation)
            waiters.removeAll { done || $0.bytes <= room }
            return ready
        }
    }

    private let root: URL
    private let temporary: URL
    private let file: BlobFile
    /// Internal so tests can hold them up (suspend) and see what waits.
    let writing = [DispatchQueue(label: "drsocial.blob-writer.write-a"), DispatchQueue(label: "drsocial.blob-writer.write-b")]
    /// Guards `current`; signalled whenever a queue hands a buffer back.
    private let lock = NSCondition()
    private var current = State()

    init(root: URL) throws {
        self.root = root
        self.temporary = root.appending(path: "tmp/\(UUID().uuidString.lowercased()).part")
        file = try BlobFile(creating: temporary.path)
    }

    deinit { abort() }

    var bytesWritten: Int64 { lock.withLock { current.bytes } }

    func write(_ bytes: Data) throws {
        try bytes.withUnsafeBytes { try write(raw: $0) }
    }

    /// Copies and hashes `bytes` into the current buffer, handing full buffers to the queues.
    func write(raw bytes: UnsafeRawBufferPointer) throws {
        try lock.withLock {
            guard !current.finished else { throw BlobError.writeFailed("writer already finished") }
            if let failure = current.failure { throw BlobError.writeFailed(failure) }
            var offset = 0
            while offset < bytes.count {
                if current.buffer == nil {
                    // Waiting releases the lock, so the queues can hand buffers back.
                    while current.freeBuffers == 0 && current.failure == nil { lock.wait() }
                    if let failure = current.failure { throw BlobError.writeFailed(failure) }
                    current.freeBuffers -= 1
                    current.buffer =
                        current.spare.popLast()
                        ?? .allocate(byteCount: Self.bufferSize, alignment: BlobFile.alignment)
                    current.filled = 0
                }
                let buffer = current.buffer!
                let count = min(bytes.count - offset, Self.bufferSize - current.filled)
                let destination = UnsafeMutableRawBufferPointer(rebasing: buffer[current.filled..<(current.filled + count)])
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
                current.hasher.update(bufferPointer: UnsafeRawBufferPointer(destination))
                current.filled += count
                current.bytes += Int64(count)
                offset += count
                if current.filled == Self.bufferSize { hand() }
            }
        }
    }

    /// Gives the current buffer to the next queue in turn: write at its offset, then back to `spare`.
    /// Called with the lock held.
    private func hand() {
        guard let buffer = current.buffer else { return }
        let chunk = UncheckedBuffer(buffer: buffer, count: current.filled)
        let offset = Int64(current.handed) * Int64(Self.bufferSize)
        let queue = writing[current.handed % writing.count]
        current.handed += 1
        current.buffer = nil
        current.filled = 0
        let file = self.file
        queue.async { [self] in
            defer { giveBack(chunk.buffer) }
            guard lock.withLock({ current.failure == nil }), file.isOpen else { return }
            do {
                try file.write(UnsafeRawBufferPointer(rebasing: chunk.buffer[0..<chunk.count]), at: offset)
            } catch {
                let waiting = lock.withLock {
                    current.failure = current.failure ?? "\(error)"
                    return current.readyWaiters()
                }
                waiting.forEach { $0.resume() }
            }
        }
    }

    /// Waits until both queues have run everything handed to them.
    private func drain() {
        writing.forEach { $0.sync {} }
    }

    /// A buffer back from a queue (or never filled): reusable, and room for whoever waits.
    private func giveBack(_ buffer: UnsafeMutableRawBufferPointer) {
        let waiting = lock.withLock {
            current.spare.append(buffer)
            current.freeBuffers += 1
            lock.broadcast()
            return current.readyWaiters()
        }
        waiting.forEach { $0.resume() }
    }

    /// Suspends, without holding a thread, until `write` can take `bytes` (at most all four buffers'
    /// worth) without waiting for the queues, or until the writer has finished or failed.
    func waitForRoom(_ bytes: Int) async {
        let needed = min(bytes, Self.bufferSize * Self.buffersInFlight)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = lock.withLock { () -> Bool in
                if current.finished || current.failure != nil || current.room >= needed { return true }
                current.waiters.append((needed, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Waits for the queues, fsyncs and renames into place, on a Dispatch thread.
    func commit(in namespace: BlobNamespace) async throws -> StoredBlob {
        try await BlockingIO.run { try self.commitNow(in: namespace) }
    }

    private func commitNow(in namespace: BlobNamespace) throws -> StoredBlob {
        let (bytes, hex): (Int64, String) = try lock.withLock {
            guard !current.finished else { throw BlobError.writeFailed("writer already finished") }
            hand()
            current.finished = true
            return (current.bytes, current.hasher.finalize().map { String(format: "%02x", $0) }.joined())
        }
        drain()
        defer { file.close() }
        if let failure = lock.withLock({ current.failure }) { throw BlobError.writeFailed(failure) }
        try file.sync()
        file.close()
        releaseBuffers()
        let path = namespace.path(sha256: hex)
        let destination = root.appending(path: path)
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            if manager.fileExists(atPath: destination.path) {
                // Same address, same bytes: keep the stored copy.
                try? manager.removeItem(at: temporary)
            } else {
                guard rename(temporary.path, destination.path) == 0 else {
                    throw BlobError.writeFailed("rename into place failed (errno \(errno))")
                }
                // The rename itself must survive a power cut before anyone records the path.
                try Self.syncDirectory(destination.deletingLastPathComponent())
            }
        } catch {
            try? manager.removeItem(at: temporary)
            throw error
        }
        return StoredBlob(path: path, sha256: hex, bytes: bytes)
    }

    func abort() {
        let (pending, waiting) = lock.withLock { () -> (UnsafeMutableRawBufferPointer?, [CheckedContinuation<Void, Never>]) in
            defer { current.buffer = nil }
            current.finished = true
            return (current.buffer, current.readyWaiters())
        }
        waiting.forEach { $0.resume() }
        if let pending { giveBack(pending) }
        drain()
        let wasOpen = file.isOpen
        file.close()
        releaseBuffers()
        if wasOpen || FileManager.default.fileExists(atPath: temporary.path) {
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    /// Frees the reusable buffers once the queues have finished with them all.
    private func releaseBuffers() {
        drain()
        let spare = lock.withLock { () -> [UnsafeMutableRawBufferPointer] in
            defer { current.spare = [] }
            return current.spare
        }
        spare.forEach { $0.deallocate() }
    }

    private static func syncDirectory(_ directory: URL) throws {
        let descriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BlobError.writeFailed("cannot open \(directory.path) (errno \(errno))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw BlobError.writeFailed("fsync of \(directory.path) failed (errno \(errno))") }
    }
}

/// A filled buffer on its way to one of the writer's queues.
private struct UncheckedBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    let count: Int
}
