public import Domain
public import Foundation

/// What the runner needs to load a request and record its run. The store implements it; tests may too.
public protocol PipelineRecorder: Sendable {
    /// The request with its talent, target accounts and attachments, or nil if it no longer exists.
    func loadInput(requestID: UUID) async throws -> PipelineInput?
    /// The run to work on and the stage runs it already holds: the running one, else a queued rerun (its reused
    /// stages recorded as `skipped`), else a new one while the request is open; nil when there is nothing to run.
    /// With `fencing`, only while that claim still holds the job: a worker that lost its lease starts nothing.
    func beginRun(input: PipelineInput, pipeline: String, fencing: FencingToken?) async throws -> BegunPipelineRun?
    /// Moves the request to `status`.
    func setRequestStatus(_ status: PostRequestStatus, reason: String?, requestID: UUID) async throws
    /// Records that a stage run started (or restarted after a crash).
    func stageStarted(runID: UUID, input: PipelineInput, stage: String, position: Int, attachmentID: UUID?) async throws
    /// Records how a stage run ended; an attachment stage's output is also kept in the attachment's analysis.
    func stageFinished(runID: UUID, input: PipelineInput, stage: String, attachmentID: UUID?, outcome: StageOutcome) async throws
    /// Closes the run and moves the request to its final status (`complete` or `failed`) in one step, so a
    /// crash cannot leave a closed run under a request that still looks unfinished.
    func finishRun(runID: UUID, requestID: UUID, status: PostRequestStatus, error: String?) async throws
    /// A local file holding an attachment.
    func localFile(for attachment: AttachmentSnapshot) async throws -> URL
    /// Shows a running stage's progress (the run page shows it as the stage's summary until it ends).
    func stageProgress(runID: UUID, stage: String, attachmentID: UUID?, text: String) async throws
}

extension PipelineRecorder {
    public func stageProgress(runID: UUID, stage: String, attachmentID: UUID?, text: String) async throws {}
}

/// The loaded request a pipeline runs over.
public struct PipelineInput: Sendable {
    public var request: PostRequestSnapshot
    public var talent: TalentSnapshot
    public var targets: [AccountSnapshot]
    public var attachments: [AttachmentSnapshot]

    public init(request: PostRequestSnapshot, talent: TalentSnapshot, targets: [AccountSnapshot], attachments: [AttachmentSnapshot]) {
        self.request = request
        self.talent = talent
        self.targets = targets
        self.attachments = attachments
    }
}

/// A stage run found in the store when a run resumes.
public struct RecordedStageRun: Sendable, Equatable {
    public let stage: String
    public let attachmentID: UUID?
    public let status: String
    public let outputJSON: String?

    public init(stage: String, attachmentID: UUID?, status: String, outputJSON: String?) {
        self.stage = stage
        self.attachmentID = attachmentID
        self.status = status
        self.outputJSON = outputJSON
    }
}

/// How a stage run ended.
public enum StageOutcome: Sendable {
    case succeeded(EncodedStageResult, durationMs: Double)
    case failed(error: String, durationMs: Double)

    /// What the stage produced; nil when it failed.
    public var result: EncodedStageResult? {
        if case .succeeded(let result, _) = self { result } else { nil }
    }

    /// Why the stage failed; nil when it succeeded.
    public var error: String? {
        if case .failed(let error, _) = self { error } else { nil }
    }

    /// How long the stage ran, in milliseconds.
    public var durationMs: Double {
        switch self {
        case .succeeded(_, let durationMs), .failed(_, let durationMs): durationMs
        }
    }
}

/// The run `beginRun` chose: its id, what it recorded so far, and the accounts it drafts for (nil: every target).
public struct BegunPipelineRun: Sendable, Equatable {
    public var runID: UUID
    public var recorded: [RecordedStageRun]
    /// Set for a regeneration after a rejection: drafting, moderation and enqueueing cover these accounts only.
    public var targetAccountIDs: [UUID]?

    public init(runID: UUID, recorded: [RecordedStageRun], targetAccountIDs: [UUID]? = nil) {
        self.runID = runID
        self.recorded = recorded
        self.targetAccountIDs = targetAccountIDs
    }
}
