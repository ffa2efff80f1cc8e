import CFFmpeg
import Glibc

/// An error from FFmpeg's libraries (with `av_strerror`'s text) or a limit our own checks enforce.
public struct FFmpegError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable { case library, limit, unsupported }
    private let code: Code
    /// What we were doing (`opening the file`).
    public let operation: String
    /// The library's return code, when there was one.
    public let averror: Int32?
    public let message: String

    /// Turns a negative libav return code into a throw.
    @discardableResult
    static func check(_ result: Int32, _ operation: String) throws -> Int32 {
        if result < 0 { throw FFmpegError(code: .library, operation: operation, averror: result, message: Self.text(result)) }
        return result
    }

    /// Explains why `avformat_open_input` refused a file.
    static func openFailed(_ status: Int32) -> FFmpegError {
        if status == drsocial_averror(EPERM) {
            return .unsupported("the file refers to other files or URLs (a playlist or reference), which is refused")
        }
        if status == drsocial_averror(EINVAL) {
            return FFmpegError(
                code: .library,
                operation: "opening the file",
                averror: status,
                message: "its format is not one we accept (common video, audio and image formats only)"
            )
        }
        if status == drsocial_averror_exit() {
            return .limit("opening the file took longer than the deadline")
        }
        return FFmpegError(code: .library, operation: "opening the file", averror: status, message: text(status))
    }

    static func limit(_ message: String) -> FFmpegError {
        FFmpegError(code: .limit, operation: "checking limits", averror: nil, message: message)
    }

    static func unsupported(_ message: String) -> FFmpegError {
        FFmpegError(code: .unsupported, operation: "reading the file", averror: nil, message: message)
    }

    /// Whether a configured limit refused the file (rather than the library failing).
    public var isLimit: Bool { code == .limit }

    public var description: String {
        switch code {
        case .library: "\(operation) failed: \(message)"
        case .limit, .unsupported: message
        }
    }

    /// `av_strerror`'s text for a return code.
    static func text(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        if av_strerror(code, &buffer, buffer.count) < 0 { return "libav error \(code)" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
