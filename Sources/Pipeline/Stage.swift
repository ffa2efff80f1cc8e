public import Domain
public import Foundation

/// Whether a stage runs once per request or once per attachment.
public enum StageScope: String, Sendable, Codable {
    case request
    case attachment
}

/// A stage's options, decoded from its `options:` mapping in `pipelines/*.yaml`.
public protocol StageConfiguration: Decodable, Sendable {
    /// Every option name this configuration reads. Anything else in the YAML is refused at start-up.
    static var optionNames: Set<String> { get }
}

/// For stages without options.
public struct NoOptions: StageConfiguration {
    public static let optionNames: Set<String> = []
    public init() {}
}

/// One step of a pipeline. Stages are registered in a `StageRegistry` and named by pipelines.
///
/// ```swift
/// struct WordCountStage: Stage {
///     struct Configuration: StageConfiguration { static let optionNames: Set<String> = [] }
///     static let kind = "word-count"
///     static let scope = StageScope.request
///     func run(_ context: StageContext) async throws -> StageResult {
///         let words = context.request.promptText?.split(separator: " ").count ?? 0
///         return try StageResult(summary: "\(words) words", output: ["words": words])
///     }
/// }
/// ```
public protocol Stage: Sendable {
    associatedtype Configuration: StageConfiguration
    /// The name pipeline files use for this kind of stage.
    static var kind: String { get }
    /// Once per request or once per attachment.
    static var scope: StageScope { get }
    /// Whether an attachment-scoped stage applies to this attachment (all, by default).
    func accepts(_ attachment: AttachmentSnapshot) -> Bool
    /// Does the work. Throwing fails this stage run; for request-scoped stages a `StageFailure` fails the
    /// request, while any other error is treated as transient and retried with the job.
    func run(_ context: StageContext) async throws -> StageResult
}

extension Stage {
    public func accepts(_ attachment: AttachmentSnapshot) -> Bool { true }
}

/// What a stage produced: a line for operators and a JSON document for later stages.
public struct StageResult: Sendable {
    public var summary: String
    public var outputJSON: String
    /// Speech heard in the attachment: stored as its `transcript_text`, and the request's prompt when the
    /// attachment is a voice memo and the request has none.
    public var transcript: String?

    public init(summary: String, output: some Encodable) throws {
        self.summary = summary
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.outputJSON = String(decoding: try encoder.encode(output), as: UTF8.self)
    }
}

/// A failure that retrying cannot fix (bad input). Request-scoped stages throw it to fail the request.
public struct StageFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
