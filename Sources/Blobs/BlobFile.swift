import CFileIO
import Glibc

/// The temporary file a blob is written into, used from one thread at a time.
///
/// Whole aligned buffers go straight to the device (`O_DIRECT`) where the file system allows it: a large
/// upload then costs no copy into the page cache and leaves no gigabytes of dirty pages for the closing
/// `fsync` to wait on. The last, partial buffer (and everything, on a file system without direct I/O)
/// goes through the page cache, with write-back started as each write returns.
final class BlobFile {
    static let alignment = Int(DRSOCIAL_DIRECT_IO_ALIGNMENT)

    private var descriptor: Int32
    /// Whether writes currently bypass the page cache.
    private(set) var isDirect: Bool
    private var offset: Int64 = 0

    /// Creates the file at `path`, which must not exist; `direct: false` keeps every write in the page cache.
    init(creating path: String, direct wantsDirect: Bool = true) throws {
        var direct: Int32 = 0
        descriptor = drsocial_create_for_writing(path, wantsDirect ? 1 : 0, &direct)
        guard descriptor >= 0 else { throw BlobError.writeFailed("cannot create \(path) (\(Self.describe(errno)))") }
        isDirect = direct != 0
    }

    deinit { close() }

    var isOpen: Bool { descriptor >= 0 }

    /// Appends `bytes`, directly when they and the file's length allow it.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard isOpen else { throw BlobError.writeFailed("write after close") }
        guard !bytes.isEmpty else { return }
        if isDirect && !Self.isAligned(bytes, at: offset) { try stopDirectIO() }
        do {
            try writeAll(bytes)
        } catch let failure as WriteFailure where failure.code == EINVAL && isDirect {
            // The device's alignment is stricter than ours after all: go through the page cache.
            try stopDirectIO()
            try writeAll(UnsafeRawBufferPointer(rebasing: bytes[failure.written...]))
        }
    }

    /// Forces everything written to stable storage.
    func sync() throws {
        guard fsync(descriptor) == 0 else { throw BlobError.writeFailed("fsync failed (\(Self.describe(errno)))") }
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    private struct WriteFailure: Error {
        let code: Int32
        let written: Int
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        let start = offset
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                let code = errno
                if code == EINVAL && isDirect { throw WriteFailure(code: code, written: written) }
                throw BlobError.writeFailed("write failed (\(Self.describe(code)))")
            }
            written += result
            offset += Int64(result)
        }
        // Best effort: a file system without sync_file_range still has the closing fsync.
        if !isDirect { _ = drsocial_start_writeback(descriptor, start, Int64(written)) }
    }

    private func stopDirectIO() throws {
        guard drsocial_stop_direct_io(descriptor) == 0 else {
            throw BlobError.writeFailed("cannot leave direct I/O (\(Self.describe(errno)))")
        }
        isDirect = false
    }

    private static func isAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) -> Bool {
        Int(bitPattern: bytes.baseAddress) % alignment == 0 && bytes.count % alignment == 0
            && offset % Int64(alignment) == 0
    }

    private static func describe(_ code: Int32) -> String {
        "\(String(cString: strerror(code))), errno \(code)"
    }
}
