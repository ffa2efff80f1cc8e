import Crypto
public import Foundation

extension SigV4Signer {
    /// Percent-encodes the way S3 signs: every UTF-8 byte except `A-Z a-z 0-9 - . _ ~` becomes `%XX` (uppercase
    /// hex); `/` stays as it is unless `encodeSlash` (query names and values encode it, paths keep it).
    public static func uriEncode(_ text: String, encodeSlash: Bool) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where !encodeSlash:
                out.append(byte)
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase hex of a SHA-256 digest or MAC.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The lowercase hex SHA-256 of some bytes: an `x-amz-content-sha256` value.
    public static func hexSHA256(_ data: some DataProtocol) -> String { hex(SHA256.hash(data: data)) }
}
