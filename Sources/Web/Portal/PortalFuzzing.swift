import Crypto
import Domain
import Foundation

/// The portal's fuzz entry points, shared by `bench/fuzz` and the regression tests that replay what it found
/// (`PortalFuzzRegressionTests`).
///
/// Each takes raw bytes and must return, whatever they are: a trap, a sanitizer report or a hang is a bug.
package enum PortalFuzzing {
    /// The boundary fuzzed bodies use (the seeds in `bench/fuzz` are written with it).
    package static let boundary = "drsocialFuzzBoundary7"

    /// The secret fuzzed tokens are checked against (32 characters or more, as `SessionTokens` requires).
    package static let secret = "fuzzing-secret-fuzzing-secret-0123456789"

    /// `multipart`: the first byte chooses a chunk size (1...64, or the whole body for 0); the rest is a
    /// `multipart/form-data` body with `boundary`. The body is parsed cut into those chunks and in one
    /// piece, and the two must agree (same parts, same headers, same bytes, same error or none): the
    /// parser promises its result does not depend on where the network cuts the stream. Each part's
    /// first bytes go through `MediaSniffer`, as `UploadReceiver` does.
    package static func multipart(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let body = Array(bytes.dropFirst())
        let chunkSize = first == 0 ? max(1, body.count) : Int(first % 64) + 1
        let whole = parse(body, chunkSize: max(1, body.count))
        let chunked = parse(body, chunkSize: chunkSize)
        guard whole == chunked else {
            fatalError("multipart: \(chunkSize)-byte chunks gave \(chunked), one piece gave \(whole)")
        }
        for part in whole.parts { _ = MediaSniffer.sniff(part.content.prefix(MediaSniffer.headerLength)) }
    }

    /// What one parse of a body found.
    struct Outcome: Equatable, CustomStringConvertible {
        var parts: [Part] = []
        var error: String?
        var complete = false

        var description: String {
            "\(parts.count) parts (\(parts.map { "\($0.headers.count) headers, \($0.content.count) bytes" })), "
                + "error \(error ?? "none"), complete \(complete)"
        }
    }

    /// One part as the callbacks reported it.
    struct Part: Equatable {
        var headers: [String] = []
        var content: [UInt8] = []
    }

    /// Parses `body` fed in `chunkSize`-byte chunks.
    static func parse(_ body: [UInt8], chunkSize: Int) -> Outcome {
        final class Collector {
            var outcome = Outcome()
            var current = Part()
        }
        let collector = Collector()
        var parser = MultipartStreamParser(boundary: boundary)
        parser.onPartBegin = { headers in collector.current.headers = headers.map { "\($0.name): \($0.value)" } }
        parser.onBody = { span in collector.current.content.append(contentsOf: span) }
        parser.onPartComplete = {
            collector.outcome.parts.append(collector.current)
            collector.current = Part()
        }
        var position = 0
        do {
            while position < body.count {
                let end = min(body.count, position + chunkSize)
                try body[position..<end].withUnsafeBytes { try parser.execute($0) }
                position = end
            }
        } catch {
            collector.outcome.error = "\(error)"
        }
        collector.outcome.complete = parser.isComplete
        return collector.outcome
    }

    /// `session-token`: with a first byte of 1, the rest is a JOSE header and a claims set (JSON, split at
    /// the first newline) signed with `secret`, so the claims checks are reached; otherwise the bytes are
    /// the token as a browser would send it. `SessionTokens.verify` must accept or throw `SessionError`.
    package static func sessionToken(_ bytes: [UInt8]) async {
        guard let tokens = try? await SessionTokens.make(secret: secret) else { fatalError("the fuzzing secret is refused") }
        let token: String
        if bytes.first == 1 {
            let rest = bytes.dropFirst()
            let newline = rest.firstIndex(of: 10) ?? rest.endIndex
            let signingInput = base64URL(rest[..<newline]) + "." + base64URL(rest[newline...].dropFirst())
            let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Array(secret.utf8)))
            token = signingInput + "." + base64URL(Data(signature))
        } else {
            token = String(decoding: bytes, as: UTF8.self)
        }
        do {
            let identity = try await tokens.verify(token)
            _ = tokens.checkCSRF(tokens.csrfToken(for: identity), for: identity)
        } catch is SessionError {
        } catch {
            fatalError("verify threw \(type(of: error)), not SessionError")
        }
    }

    /// Unpadded base64url.
    private static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
