import Foundation

/// Isolated work failed, crashed, hung or could not be started.
public struct IsolationError: Error, CustomStringConvertible {
    public let description: String
    /// The child died on a signal or was killed for taking too long: what the input did to it, not a
    /// failure to start or a reasoned refusal.
    public var diedOnInput = false

    public init(description: String, diedOnInput: Bool = false) {
        self.description = description
        self.diedOnInput = diedOnInput
    }

    static let noExecutable = IsolationError(description: "no media-worker executable is configured")
    static func failed(_ reason: String) -> IsolationError { IsolationError(description: reason) }
    static func badAnswer(_ text: String) -> IsolationError {
        IsolationError(description: "the media worker gave an unreadable answer: \(text)")
    }
    static func crashed(signal: Int32) -> IsolationError {
        let name =
            switch signal {
            case SIGSEGV: "SIGSEGV"
            case SIGABRT: "SIGABRT"
            case SIGKILL: "SIGKILL (memory or CPU limit)"
            case SIGXCPU: "SIGXCPU (CPU-time limit)"
            case SIGBUS: "SIGBUS"
            case SIGSYS: "SIGSYS (a system call its sandbox forbids)"
            default: "signal \(signal)"
            }
        return IsolationError(description: "the media worker crashed on this file (\(name))", diedOnInput: true)
    }
    static func exited(_ status: Int32, _ stderr: String) -> IsolationError {
        IsolationError(description: "the media worker exited with status \(status): \(stderr)")
    }
    static func stalled(_ seconds: Double) -> IsolationError {
        IsolationError(
            description: "the media worker made no progress for \(Int(seconds)) s (no thread ran or waited for a core) and was killed",
            diedOnInput: true
        )
    }
    static func timedOut(_ seconds: Double) -> IsolationError {
        IsolationError(description: "the media worker took longer than \(Int(seconds)) s and was killed", diedOnInput: true)
    }
}
