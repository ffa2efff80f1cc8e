import Domain
import Yams

/// The one table of stage kinds a pipeline file may name, each with how to build it from its options.
///
/// ```swift
/// var registry = StageRegistry()
/// registry.register(ProbeStage.self) { options in ProbeStage(configuration: options) }
/// ```
public struct StageRegistry: Sendable {
    struct Entry: Sendable {
        let scope: StageScope
        let optionNames: Set<String>
        let reads: [StageRead]
        let build: @Sendable (YAMLDocument, Node) throws -> any RunnableStage
    }

    private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// Registers a kind of stage; `make` turns decoded options into a stage.
    public mutating func register<S: Stage>(_ type: S.Type, make: @escaping @Sendable (S.Configuration) throws -> S) {
        precondition(entries[S.kind] == nil, "stage kind \(S.kind) registered twice")
        precondition(S.Output.producer == S.kind, "\(S.self) produces \(S.Output.self), which names '\(S.Output.producer)' as its producer")
        entries[S.kind] = Entry(scope: S.scope, optionNames: S.Configuration.optionNames, reads: S.reads) { document, node in
            let options = try document.decode(DecodedStageOptions<S.Configuration>.self, from: node, what: "options of '\(S.kind)'")
            return RunnableStageBox(stage: try make(options.configuration))
        }
    }

    /// The registered kinds, sorted.
    public var kinds: [String] { entries.keys.sorted() }
}

/// A built stage with its types erased, as the runner holds it.
protocol RunnableStage: Sendable {
    var scope: StageScope { get }
    var usesCPU: Bool { get }
    func accepts(_ attachment: AttachmentSnapshot) -> Bool
    func run(_ context: StageContext) async throws -> EncodedStageResult
}

struct RunnableStageBox<S: Stage>: RunnableStage {
    let stage: S
    var scope: StageScope { S.scope }
    var usesCPU: Bool { S.usesCPU }
    func accepts(_ attachment: AttachmentSnapshot) -> Bool { stage.accepts(attachment) }
    func run(_ context: StageContext) async throws -> EncodedStageResult {
        try EncodedStageResult(try await stage.run(context))
    }
}
