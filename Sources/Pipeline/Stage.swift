public import Domain
import Foundation

/// Whether a stage runs once per request or once per attachment.
public enum StageScope: String, Sendable, Codable {
    case request
    case attachment
}

/// A stage's options, decoded from its `options:` mapping in `pipelines/*.yaml`. Each option is spelled once,
/// in `options`: its YAML name beside the property it sets. A default is the property's initial value, which
/// decoding keeps when the YAML leaves the option out; `validate()` then checks the values together.
///
/// ```swift
/// struct Configuration: StageConfiguration {
///     /// Largest accepted width or height. Default 8192 px.
///     var maxDimension = 8192
///     static let options: [StageOption<Self>] = [.init("max_dimension", \.maxDimension)]
///     func validate() throws {
///         guard maxDimension > 0 else { throw Self.invalid("must be positive", at: \.maxDimension) }
///     }
/// }
/// ```
public protocol StageConfiguration: Sendable {
    /// Every option at its default, as if the YAML left them all out.
    init()
    /// The options this configuration reads. Anything else in the YAML is refused at start-up.
    static var options: [StageOption<Self>] { get }
    /// Checks the decoded options; throws `invalid(_:at:)` for a value out of range. Accepts all, by default.
    func validate() throws
}

extension StageConfiguration {
    public func validate() throws {}

    /// Every option name, as the YAML spells it.
    public static var optionNames: Set<String> { Set(options.map(\.name)) }

    /// The defaults, overridden by each option `decoder` holds, then validated.
    public init(decodingOptionsFrom decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: StageOptionKey.self)
        for option in Self.options { try option.decode(container, &self) }
        try validate()
    }

    /// The error for options out of range: at one option when `option` names its property
    /// (`'max_dimension': must be positive`), else for the options as a whole.
    public static func invalid(_ message: String, at option: PartialKeyPath<Self>? = nil) -> DecodingError {
        let name = option.flatMap { option in options.first { $0.keyPath as AnyKeyPath == option as AnyKeyPath }?.name }
        let path: [any CodingKey] = name.map { [StageOptionKey($0)] } ?? []
        return DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: message))
    }
}

/// For stages without options.
public struct NoOptions: StageConfiguration {
    public init() {}
    public static var options: [StageOption<NoOptions>] { [] }
}

/// One step of a pipeline. Stages are registered in a `StageRegistry` and named by pipelines.
///
/// ```swift
/// struct WordCountStage: Stage {
///     typealias Configuration = NoOptions
///     typealias Output = WordCount            // a `StageOutput` whose producer is "word-count"
///     static let kind = "word-count"
///     static let scope = StageScope.request
///     static let reads: [StageRead] = [.optional(Transcript.self)]
///     func run(_ context: StageContext) async throws -> StageResult<WordCount> {
///         let words = context.request.promptText?.split(separator: " ").count ?? 0
///         return StageResult(summary: "\(words) words", output: WordCount(words: words))
///     }
/// }
/// ```
public protocol Stage: Sendable {
    associatedtype Configuration: StageConfiguration
    associatedtype Output: StageOutput
    /// The name pipeline files use for this kind of stage.
    static var kind: String { get }
    /// Once per request or once per attachment.
    static var scope: StageScope { get }
    /// The outputs of other stages this stage reads. Loading a pipeline checks that its `needs` cover them,
    /// and the stage can read nothing else.
    static var reads: [StageRead] { get }
    /// Whether its runs use the CPU (media work) and so take a permit of the daemon's `StageBudget` (true by
    /// default); false for stages that wait on the network or the database.
    static var usesCPU: Bool { get }
    /// Whether an attachment-scoped stage applies to this attachment (all, by default).
    func accepts(_ attachment: AttachmentSnapshot) -> Bool
    /// Does the work. Throwing fails this stage run; for request-scoped stages a `StageFailure` fails the
    /// request, while any other error is treated as transient and retried with the job.
    func run(_ context: StageContext) async throws -> StageResult<Output>
}

extension Stage {
    public func accepts(_ attachment: AttachmentSnapshot) -> Bool { true }
    public static var reads: [StageRead] { [] }
    public static var usesCPU: Bool { true }
}

/// A stage once per request, without options, that waits on the LLM router or the database rather than the
/// CPU, so it takes no permit of the stage budget: drafting, moderation, queueing.
public protocol WaitingRequestStage: Stage where Configuration == NoOptions {}

extension WaitingRequestStage {
    public static var scope: StageScope { .request }
    public static var usesCPU: Bool { false }
}

/// What a stage produced: a line for operators and its typed output for later stages.
public struct StageResult<Output: StageOutput>: Sendable {
    public var summary: String
    public var output: Output
    /// Speech heard in the attachment: stored as its `transcript_text`, and the request's prompt when the
    /// attachment is a voice memo and the request has none.
    public var transcript: String?

    public init(summary: String, output: Output, transcript: String? = nil) {
        self.summary = summary
        self.output = output
        self.transcript = transcript
    }
}

/// A stage's result as the runner records it: the output encoded once, with sorted keys.
public struct EncodedStageResult: Sendable {
    public var summary: String
    public var outputJSON: String
    public var transcript: String?

    public init(summary: String, outputJSON: String, transcript: String?) {
        self.summary = summary
        self.outputJSON = outputJSON
        self.transcript = transcript
    }

    init<O: StageOutput>(_ result: StageResult<O>) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.init(
            summary: result.summary,
            outputJSON: String(decoding: try encoder.encode(result.output), as: UTF8.self),
            transcript: result.transcript
        )
    }
}

/// A failure that retrying cannot fix (bad input). Request-scoped stages throw it to fail the request.
public struct StageFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
