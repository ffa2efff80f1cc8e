public import Domain
public import Foundation
public import Logging

/// Everything a stage may read: the request, the talent, its target accounts, the attachments,
/// platform presets and what earlier stages produced.
public struct StageContext: Sendable {
    public let pipelineRunID: UUID
    public let request: PostRequestSnapshot
    public let talent: TalentSnapshot
    /// The accounts the request targets, one variant each.
    public let targets: [AccountSnapshot]
    public let attachments: [AttachmentSnapshot]
    /// For attachment-scoped stages: the attachment this run is about, and a local file holding it.
    public let attachment: AttachmentSnapshot?
    public let attachmentFile: URL?
    public let platforms: PlatformPresets
    /// The job claim this run happens under; side effects fence on it.
    public let fencing: FencingToken?
    public let logger: Logger
    /// The pipeline's name for the stage this context is for, as errors name it.
    public let stageName: String
    /// Finished outputs by stage run (`name` or `name@attachment`).
    let outputs: [String: String]
    /// For each producer kind the stage declared it reads, the stage in this pipeline that produces it
    /// (nil when the pipeline has no such stage: an optional read).
    let sources: [String: String?]
    /// Reports how far the stage has got (a draft as it is written); the run page shows the latest report as
    /// the stage's summary until it ends. Cheap to call often: reports are written at most twice a second.
    public internal(set) var progress: @Sendable (String) -> Void = { _ in }

    /// For attachment-scoped stages: the attachment this run is about and its local file. Throws a `StageFailure`
    /// when the run has none.
    public func attachmentAndFile() throws -> (attachment: AttachmentSnapshot, file: URL) {
        guard let attachment, let attachmentFile else { throw StageFailure("no file for this attachment") }
        return (attachment, attachmentFile)
    }

    /// The output of a request-scoped stage this stage reads; nil when that stage did not succeed or is not in
    /// the pipeline. Throws when the stage did not declare the read, or the stored output does not decode.
    public func output<O: StageOutput>(_ type: O.Type) throws -> O? {
        try read(type, attachmentID: nil)
    }

    /// The output of an attachment-scoped stage for one attachment; nil when that stage did not succeed for it
    /// (it failed, or does not apply to this kind of file).
    public func output<O: StageOutput>(_ type: O.Type, for attachment: AttachmentSnapshot) throws -> O? {
        try read(type, attachmentID: attachment.id)
    }

    /// The output of a stage, by its type: `context.output(of: ScenesStage.self, for: attachment)`.
    public func output<S: Stage>(of stage: S.Type, for attachment: AttachmentSnapshot) throws -> S.Output? {
        try read(S.Output.self, attachmentID: attachment.id)
    }

    private func read<O: StageOutput>(_ type: O.Type, attachmentID: UUID?) throws -> O? {
        guard let source = sources[O.producer] else {
            throw StageOutputError(
                "stage '\(stageName)' reads \(O.self) from '\(O.producer)' without declaring it in its `reads`"
            )
        }
        guard let source, let json = outputs[StageKey(stage: source, attachmentID: attachmentID).description] else { return nil }
        do {
            return try JSONDecoder().decode(O.self, from: Data(json.utf8))
        } catch {
            let subject = attachmentID.map { " for attachment \($0.uuidString.lowercased())" } ?? ""
            throw StageOutputError(
                "stage '\(stageName)' could not read the output of '\(source)'\(subject) as \(O.self): \(Self.describe(error))"
            )
        }
    }

    /// A decoding error in a line: what was wrong, and where in the document.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)' at \(path(context.codingPath))"
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context.codingPath))"
        case .valueNotFound(let type, let context): return "no \(type) at \(path(context.codingPath))"
        case .dataCorrupted(let context): return "\(context.debugDescription) at \(path(context.codingPath))"
        @unknown default: return String(describing: error)
        }
    }
}

/// The job claim a pipeline run happens under: the job's id and the claim's attempt number.
public struct FencingToken: Sendable, Equatable {
    public let jobID: Int64
    public let attempt: Int
    public init(jobID: Int64, attempt: Int) {
        self.jobID = jobID
        self.attempt = attempt
    }
}

/// Identifies one stage run inside a pipeline run.
struct StageKey: Hashable, CustomStringConvertible {
    let stage: String
    let attachmentID: UUID?
    var description: String { attachmentID.map { "\(stage)@\($0.uuidString.lowercased())" } ?? stage }
}
