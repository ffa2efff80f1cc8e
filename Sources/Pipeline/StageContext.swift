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
    let outputs: [String: String]

    /// The output of a request-scoped stage that already ran, decoded; nil when it has not run or failed.
    public func output<T: Decodable>(of stage: String, as type: T.Type = T.self) throws -> T? {
        try outputs[stage].map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    /// The output of an attachment-scoped stage for one attachment; nil when it did not succeed.
    public func output<T: Decodable>(of stage: String, attachmentID: UUID, as type: T.Type = T.self) throws -> T? {
        try outputs[StageKey(stage: stage, attachmentID: attachmentID).description]
            .map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
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
