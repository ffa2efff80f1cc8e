public import Foundation

/// Starts a new pipeline run for a request in which one stage and every stage that needs it run again, and
/// every other stage reuses its latest output. Web and the command line call it; the worker side implements it.
///
/// ```swift
/// let receipt = try await reruns.rerun(requestID: id, stage: "ocr", requestedBy: "operator")
/// print(receipt.stages)   // ["ocr", "draft", "moderate", "enqueue"]
/// ```
public protocol StageRerunning: Sendable {
    /// The stages of the pipeline, in run order: what may be rerun.
    var stageNames: [String] { get }
    /// Queues the rerun; it starts once no other run of the request is running. In a tenant's `scope` a request
    /// of another tenant is not found (`RerunError.noRequest`).
    func rerun(requestID: UUID, stage: String, requestedBy: String, scope: DataScope) async throws -> RerunReceipt
}

extension StageRerunning {
    /// Queues a rerun of a request of any tenant (the platform's scope).
    public func rerun(requestID: UUID, stage: String, requestedBy: String) async throws -> RerunReceipt {
        try await rerun(requestID: requestID, stage: stage, requestedBy: requestedBy, scope: .platform)
    }
}

/// A queued rerun.
public struct RerunReceipt: Sendable, Equatable, Encodable {
    public let runID: UUID
    public let requestID: UUID
    /// The stages that run again, in run order.
    public let stages: [String]
    /// True when another run of the request was running or queued: this one waits its turn.
    public let waiting: Bool

    public init(runID: UUID, requestID: UUID, stages: [String], waiting: Bool) {
        self.runID = runID
        self.requestID = requestID
        self.stages = stages
        self.waiting = waiting
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case requestID = "request_id"
        case stages, waiting
    }
}

/// A rerun that cannot be queued.
public struct RerunError: Error, Equatable, CustomStringConvertible {
    public let description: String
    /// True when the request does not exist (a 404 rather than a 400).
    public let notFound: Bool

    public static func unknownStage(_ stage: String, known: [String]) -> RerunError {
        RerunError(description: "no stage '\(stage)' in the pipeline (its stages: \(known.joined(separator: ", ")))", notFound: false)
    }

    public static func noRequest(_ id: UUID) -> RerunError {
        RerunError(description: "no post request \(id.uuidString.lowercased())", notFound: true)
    }
}
