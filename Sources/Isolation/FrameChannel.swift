import Foundation

/// Length-prefixed frames (a 4-byte big-endian length, then the bytes) over a file descriptor: how the daemon
/// and its children exchange requests and answers. Blocking; callers keep it off Swift's cooperative pool.
struct FrameChannel: Sendable {
    /// Frames larger than this are refused (an answer carrying an email's attachments stays well under it).
    static let maximumLength = 512 << 20
    let fd: Int32

    /// The next frame, or nil at the end of the stream (or on a broken one).
    func read() -> Data? {
        guard let header = readExactly(4) else { return nil }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length <= Self.maximumLength else { return nil }
        return readExactly(length)
    }

    /// Writes a frame; false when the other side is gone.
    func write(_ data: Data) -> Bool {
        let length = UInt32(data.count)
        var frame = Data([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
        frame.append(data)
        return frame.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    private func readExactly(_ count: Int) -> Data? {
        var data = Data(count: count)
        var offset = 0
        let complete = data.withUnsafeMutableBytes { buffer -> Bool in
            while offset < count {
                let got = Foundation.read(fd, buffer.baseAddress! + offset, count - offset)
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { return false }
                offset += got
            }
            return true
        }
        return complete ? data : nil
    }
}
