import Logging
import NIOConcurrencyHelpers

/// Keeps every log line a logger made, for tests that check what is logged (and what never is).
final class LogRecorder: Sendable {
    /// One line: its level, message and call-site metadata, as text.
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lines = NIOLockedValueBox<[Line]>([])

    /// What was logged so far.
    var recorded: [Line] { lines.withLockedValue { $0 } }

    /// A logger that records here, at every level.
    func logger(label: String = "drsocial.test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: Line) { lines.withLockedValue { $0.append(line) } }

    /// The handler behind `logger(label:)`.
    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            recorder.append(Line(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
