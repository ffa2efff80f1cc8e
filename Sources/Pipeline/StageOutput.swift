/// The one declared shape of what a kind of stage produces. Later stages read it as this type
/// (`context.output(ProbeResult.self, for: attachment)`), never by a string name or a private copy, so a
/// changed shape fails loudly where it is read instead of turning into a silent nil.
///
/// ```swift
/// public struct WordCount: StageOutput {
///     public static let producer = "word-count"
///     public var words: Int
/// }
/// ```
public protocol StageOutput: Codable, Sendable {
    /// The kind of stage that produces it (`Stage.kind`).
    static var producer: String { get }
}

/// One output a stage reads. `required` outputs must come from a stage the pipeline lists in its `needs`;
/// `optional` ones may be missing from the pipeline altogether, but when a stage produces them, it must be
/// needed too.
public struct StageRead: Sendable, CustomStringConvertible {
    public let producer: String
    public let type: String
    public let required: Bool

    public static func required<O: StageOutput>(_ type: O.Type) -> StageRead {
        StageRead(producer: O.producer, type: String(describing: O.self), required: true)
    }

    public static func optional<O: StageOutput>(_ type: O.Type) -> StageRead {
        StageRead(producer: O.producer, type: String(describing: O.self), required: false)
    }

    public var description: String { "\(type) from '\(producer)'" }
}

/// Reading another stage's output failed: it was not declared, or its stored shape does not decode.
public struct StageOutputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
