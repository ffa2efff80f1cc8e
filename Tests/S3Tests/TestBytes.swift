import Crypto
import Foundation
import NIOCore

/// Bytes for the upload tests: random ones, and a fast deterministic stream (xorshift64*) that can be made
/// again chunk by chunk without keeping it.
enum TestBytes {
    /// `count` random bytes.
    static func random(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return stream(count, seed: generator.next())
    }

    /// `count` bytes of the stream `seed` starts.
    static func stream(_ count: Int, seed: UInt64) -> Data {
        var state = seed | 1
        var data = Data(count: count)
        data.withUnsafeMutableBytes { raw in
            let words = count / 8
            let buffer = raw.bindMemory(to: UInt64.self)
            for index in 0..<words {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                buffer[index] = state &* 0x2545_F491_4F6C_DD1D
            }
            for index in (words * 8)..<count { raw[index] = UInt8(truncatingIfNeeded: index &* 31) }
        }
        return data
    }

    /// The lowercase hex SHA-256 of some bytes.
    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// The base64 SHA-256 of some bytes (an `x-amz-checksum-sha256` value).
    static func checksum(_ data: some DataProtocol) -> String { Data(SHA256.hash(data: data)).base64EncodedString() }

    /// S3's composite checksum of `data` cut into parts of `partSize`: base64 SHA-256 of the parts' digests, `-N`.
    static func composite(_ data: Data, partSize: Int) -> String {
        var digests = Data()
        var count = 0
        for start in stride(from: 0, to: data.count, by: partSize) {
            digests += Data(SHA256.hash(data: data[start..<min(start + partSize, data.count)]))
            count += 1
        }
        return "\(Data(SHA256.hash(data: digests)).base64EncodedString())-\(count)"
    }
}

extension ByteBuffer {
    /// The readable bytes as `Data`.
    var data: Data { Data(readableBytesView) }
}
