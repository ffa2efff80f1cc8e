public import Domain
public import Foundation
public import Logging

/// Runs a pipeline over one post request, recording every stage run, and resumes where a crash left off:
/// stages that finished are not run again, a stage that was running is run again.
///
/// A failed attachment stage fails only that attachment's stage; the request goes on with its other
/// attachments. A request stage that throws `StageFailure` fails the request; any other error is
/// rethrown so the job is retried.
public struct PipelineRunner: Sendable {
    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        case complete
        case failed(reason: String)
        /// The request is gone or was already final.
        case nothingToDo
    }

    public let pipeline: PipelineDefinition
    public let platforms: PlatformPresets
    let recorder: any PipelineRecorder

    public init(pipeline: PipelineDefinition, platforms: PlatformPresets, recorder: any PipelineRecorder) {
        self.pipeline = pipeline
        self.platforms = platforms
        self.recorder = recorder
    }

    public func run(requestID: UUID, fencing: FencingToken?, logger baseLogger: Logger) async throws -> Outcome {
        guard var input = try await recorder.loadInput(requestID: requestID),
            let begun = try await recorder.beginRun(input: input, pipeline: pipeline.name, fencing: fencing)
        else {
            return .nothingToDo
        }
        let (runID, recorded) = (begun.runID, begun.recorded)
        if let accounts = begun.targetAccountIDs { input.targets = input.targets.filter { accounts.contains($0.id) } }
        var logger = baseLogger
        logger[metadataKey: "post_request_id"] = "\(requestID)"
        // Finished stage runs keep their verdict; `skipped` ones were reused from an earlier run (a rerun).
        var finished: [StageKey: RecordedStageRun] = [:]
        var outputs: [String: String] = [:]
        for record in recorded where ["succeeded", "failed", "skipped"].contains(record.status) {
            let key = StageKey(stage: record.stage, attachmentID: record.attachmentID)
            finished[key] = record
            if record.status != "failed", let json = record.outputJSON { outputs[key.description] = json }
        }

        for (position, entry) in pipeline.stages.enumerated() {
            var stageLogger = logger
            stageLogger[metadataKey: "stage"] = "\(entry.name)"
            var statusShown = false
            let subjects: [AttachmentSnapshot?] =
                entry.scope == .request ? [nil] : input.attachments.filter { entry.stage.accepts($0) }.map(Optional.some)
            for attachment in subjects {
                let key = StageKey(stage: entry.name, attachmentID: attachment?.id)
                if let done = finished[key] {
                    // Attachment stages keep their verdict; a request stage that failed transiently runs again.
                    if done.status != "failed" || entry.scope == .attachment { continue }
                }
                if let status = entry.status, !statusShown {
                    try await recorder.setRequestStatus(status, reason: nil, requestID: requestID)
                    statusShown = true
                }
                var attachmentFile: URL?
                if let attachment { attachmentFile = try await recorder.localFile(for: attachment) }
                var context = StageContext(
                    pipelineRunID: runID,
                    request: input.request,
                    talent: input.talent,
                    targets: input.targets,
                    attachments: input.attachments,
                    attachment: attachment,
                    attachmentFile: attachmentFile,
                    platforms: platforms,
                    fencing: fencing,
                    logger: stageLogger,
                    stageName: entry.name,
                    outputs: outputs,
                    sources: entry.sources
                )
                try await recorder.stageStarted(
                    runID: runID,
                    input: input,
                    stage: entry.name,
                    position: position,
                    attachmentID: attachment?.id
                )
                let reporter = ProgressReporter(interval: .milliseconds(500)) { [recorder, name = entry.name, id = attachment?.id] text in
                    try? await recorder.stageProgress(runID: runID, stage: name, attachmentID: id, text: text)
                }
                context.progress = { text in Task { await reporter.offer(text) } }
                defer { Task { await reporter.close() } }
                let clock = ContinuousClock()
                let started = clock.now
                do {
                    let result = try await entry.stage.run(context)
                    let elapsed = Self.milliseconds(clock.now - started)
                    try await recorder.stageFinished(
                        runID: runID,
                        input: input,
                        stage: entry.name,
                        attachmentID: attachment?.id,
                        outcome: .succeeded(result, durationMs: elapsed)
                    )
                    outputs[key.description] = result.outputJSON
                    stageLogger.debug("stage succeeded: \(result.summary)")
                } catch {
                    let elapsed = Self.milliseconds(clock.now - started)
                    let message = String(describing: error)
                    try await recorder.stageFinished(
                        runID: runID,
                        input: input,
                        stage: entry.name,
                        attachmentID: attachment?.id,
                        outcome: .failed(error: message, durationMs: elapsed)
                    )
                    if entry.scope == .attachment {
                        stageLogger.warning("attachment stage failed; the request goes on", metadata: ["error": "\(message)"])
                        continue
                    }
                    if error is StageFailure {
                        try await recorder.finishRun(
                            runID: runID,
                            requestID: requestID,
                            status: .failed,
                            error: "\(entry.name): \(message)"
                        )
                        return .failed(reason: message)
                    }
                    throw error
                }
            }
        }
        try await recorder.finishRun(runID: runID, requestID: requestID, status: .complete, error: nil)
        return .complete
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
