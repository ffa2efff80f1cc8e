import CFileIO
import Glibc
import NIOConcurrencyHelpers

/// The temporary file a blob is written into. `write(_:at:)` may be called from two threads at once (a
/// blob writer keeps two writes in flight); `append`, `sync` and `close` from one.
///
/// Whole aligned buffers go straight to the device (`O_DIRECT`) where the file system allows it: a large
/// upload then costs no copy into the page cache and leaves no gigabytes of dirty pages for the closing
/// `fsync` to wait on. The last, partial buffer (and everything, on a file system without direct I/O)
/// goes through the page cache, with write-back started as each write returns.
final class BlobFile: @unchecked Sendable {
    static let alignment = Int(DRSOCIAL_DIRECT_IO_ALIGNMENT)

    private var descriptor: Int32
    private let direct: NIOLockedValueBox<Bool>
    /// Where `append` writes next.
    private var end: Int64 = 0

    /// Creates the file at `path`, which must not exist; `direct: false` keeps every write in the page cache.
    init(creating path: String, direct wantsDirect: Bool = true) throws {
        var granted: Int32 = 0
        descriptor = drsocial_create_for_writing(path, wantsDirect ? 1 : 0, &granted)
        guard descriptor >= 0 else { throw BlobError.writeFailed("cannot create \(path) (\(Self.describe(errno)))") }
        direct = NIOLockedValueBox(granted != 0)
    }

    deinit { close() }

    var isOpen: Bool { descriptor >= 0 }

    /// Whether writes currently bypass the page cache.
    var isDirect: Bool { direct.withLockedValue { $0 } }

    /// Writes `bytes` after everything `append` wrote before.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try write(bytes, at: end)
        end += Int64(bytes.count)
    }

    /// Writes `bytes` at `offset`, directly when they and the offset allow it.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        guard isOpen else { throw BlobError.writeFailed("write after close") }
        guard !bytes.isEmpty else { return }
        if isDirect && !Self.isAligned(bytes, at: offset) { try stopDirectIO() }
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset) + written)
            if result >= 0 {
                written += result
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EINVAL && isDirect {
                // The device's alignment is stricter than ours after all: go through the page cache.
                try stopDirectIO()
                continue
            }
            throw BlobError.writeFailed("write failed (\(Self.describe(code)))")
        }
        // Best effort: a file system without sync_file_range still has the closing fsync.
        if !isDirect { _ = drsocial_start_writeback(descriptor, offset, Int64(written)) }
    }

    /// Forces everything written to stable storage.
    func sync() throws {
        guard fsync(descriptor) == 0 else { throw BlobError.writeFailed("fsync failed (\(Self.describe(errno)))") }
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Leaves direct I/O for good; a write already in flight finishes as it began.
    private func stopDirectIO() throws {
        try direct.withLockedValue { isDirect in
            guard isDirect else { return }
            guard drsocial_stop_direct_io(descriptor) == 0 else {
                throw BlobError.writeFailed("cannot leave direct I/O (\(Self.describe(errno)))")
            }
            isDirect = false
        }
    }

    private static func isAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) -> Bool {
        Int(bitPattern: bytes.baseAddress) % alignment == 0 && bytes.count % alignment == 0
            && offset % Int64(alignment) == 0
    }

    private static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))), errno \(code)"
    }
}
