import Domain
public import Foundation
public import Logging

/// Runs a pipeline over one post request as a graph, recording every stage run, and resumes where a crash
/// left off: stages that finished are not run again, a stage that was running is run again.
///
/// Every stage run (a stage for the request, or for one attachment) starts as soon as the runs it needs have
/// ended: each attachment's analysis waits only for that attachment's earlier stages, a request stage waits
/// for every run of the stages it needs, and runs that do not depend on each other overlap. Runs of stages
/// that use the CPU take a permit of the daemon's `StageBudget` while they run, the stages with the longest
/// chain of work waiting for them first.
///
/// A failed attachment stage fails only that attachment's stage; the request goes on with its other
/// attachments (and the stages after it still run for that attachment, reading what is there). A request
/// stage that throws `StageFailure` fails the request; any other error is rethrown so the job is retried.
/// Either way the runs still going are waited for (and recorded) first; a run that was cancelled is left
/// as running, so a resume runs it again.
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
    let budget: StageBudget

    public init(pipeline: PipelineDefinition, platforms: PlatformPresets, recorder: any PipelineRecorder, budget: StageBudget = StageBudget()) {
        self.pipeline = pipeline
        self.platforms = platforms
        self.recorder = recorder
        self.budget = budget
    }

    /// One stage run: a stage (by its position in the pipeline) for the request or one attachment.
    struct Unit: Hashable {
        let position: Int
        let attachment: AttachmentSnapshot?

        static func == (a: Unit, b: Unit) -> Bool { a.position == b.position && a.attachment?.id == b.attachment?.id }
        func hash(into hasher: inout Hasher) {
            hasher.combine(position)
            hasher.combine(attachment?.id)
        }
    }

    /// How one run ended, as the loop needs it.
    enum UnitEnd: Sendable {
        case succeeded(outputJSON: String)
        case failed(message: String, error: any Error)
        /// Cancelled before it ended: nothing recorded, so a resume runs it again.
        case cancelled
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

        // The runs still to do, and what each waits for among them.
        let stages = pipeline.stages
        let positions = Dictionary(stages.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        func subjects(_ position: Int) -> [AttachmentSnapshot?] {
            stages[position].scope == .request ? [nil] : input.attachments.filter { stages[position].stage.accepts($0) }.map(Optional.some)
        }
        var todo: [Unit] = []
        for position in stages.indices {
            for attachment in subjects(position) {
                let key = StageKey(stage: stages[position].name, attachmentID: attachment?.id)
                // Attachment stages keep their verdict; a request stage that failed transiently runs again.
                if let done = finished[key], done.status != "failed" || stages[position].scope == .attachment { continue }
                todo.append(Unit(position: position, attachment: attachment))
            }
        }
        let waiting = Set(todo)
        var needs: [Unit: Set<Unit>] = [:]
        for unit in todo {
            var before: Set<Unit> = []
            for name in stages[unit.position].needs {
                guard let need = positions[name] else { continue }
                let candidates: [Unit]
                if stages[need].scope == .request {
                    candidates = [Unit(position: need, attachment: nil)]
                } else if let attachment = unit.attachment {
                    candidates = stages[need].stage.accepts(attachment) ? [Unit(position: need, attachment: attachment)] : []
                } else {
                    candidates = subjects(need).map { Unit(position: need, attachment: $0) }
                }
                before.formUnion(candidates.filter(waiting.contains))
            }
            needs[unit] = before
        }

        // Each run's priority for the budget: the longest chain of runs still to do that wait for it, itself
        // included. Per run, not per stage: the voice memo's probe, which its transcription and then the
        // reels wait for, goes before a still's (`bench/request` (a): the transcription started 0.25 s after
        // the memo's probe, behind two OCRs that had taken the permits meanwhile). Runs come in topological
        // order, so every run's dependants come after it.
        var level: [Unit: Int] = [:]
        var dependants: [Unit: [Unit]] = [:]
        for (unit, before) in needs { for need in before { dependants[need, default: []].append(unit) } }
        for unit in todo.reversed() { level[unit] = 1 + (dependants[unit]?.compactMap { level[$0] }.max() ?? 0) }

        let request = input
        // Ready runs start highest level first (the budget serves waiters the same way).
        var pending = todo.enumerated().sorted { (-level[$0.element]!, $0.offset) < (-level[$1.element]!, $1.offset) }.map(\.element)
        var statusShown = -1
        var failure: (reason: String, stage: String)?
        var transient: (any Error)?
        try await withThrowingTaskGroup(of: (Unit, UnitEnd).self) { group in
            var running = 0
            func launchReady() async throws {
                guard failure == nil, transient == nil else { return }
                var index = 0
                while index < pending.count {
                    let unit = pending[index]
                    guard needs[unit, default: []].isEmpty else {
                        index += 1
                        continue
                    }
                    pending.remove(at: index)
                    let entry = stages[unit.position]
                    // The request's status moves forward only (analyzing, then drafting), as stages start.
                    if let status = entry.status, unit.position > statusShown {
                        statusShown = unit.position
                        try await recorder.setRequestStatus(status, reason: nil, requestID: requestID)
                    }
                    var stageLogger = logger
                    stageLogger[metadataKey: "stage"] = "\(entry.name)"
                    let context = try await makeContext(
                        input: request, runID: runID, entry: entry, attachment: unit.attachment, fencing: fencing,
                        logger: stageLogger, outputs: outputs
                    )
                    running += 1
                    let priority = level[unit] ?? 1
                    group.addTask { (unit, await runUnit(unit, entry: entry, context: context, priority: priority, runID: runID, input: request)) }
                }
            }
            try await launchReady()
            while running > 0, let (unit, end) = try await group.next() {
                running -= 1
                let entry = stages[unit.position]
                switch end {
                case .succeeded(let json):
                    outputs[StageKey(stage: entry.name, attachmentID: unit.attachment?.id).description] = json
                case .failed(let message, let error):
                    if entry.scope == .attachment {
                        logger.warning(
                            "attachment stage failed; the request goes on",
                            metadata: ["stage": "\(entry.name)", "error": "\(message)"]
                        )
                    } else if error is StageFailure {
                        failure = failure ?? (message, entry.name)
                    } else {
                        transient = transient ?? error
                    }
                case .cancelled:
                    break
                }
                for other in pending { needs[other]?.remove(unit) }
                if failure != nil || transient != nil {
                    // Nothing new starts; the runs already going end and are recorded first.
                    continue
                }
                try await launchReady()
            }
        }
        if let transient { throw transient }
        if let failure {
            try await recorder.finishRun(runID: runID, requestID: requestID, status: .failed, error: "\(failure.stage): \(failure.reason)")
            return .failed(reason: failure.reason)
        }
        try await recorder.finishRun(runID: runID, requestID: requestID, status: .complete, error: nil)
        return .complete
    }

    /// The context one stage run sees: the outputs of every run that ended before it started.
    private func makeContext(
        input: PipelineInput,
        runID: UUID,
        entry: PipelineDefinition.StageEntry,
        attachment: AttachmentSnapshot?,
        fencing: FencingToken?,
        logger: Logger,
        outputs: [String: String]
    ) async throws -> StageContext {
        var attachmentFile: URL?
        if let attachment { attachmentFile = try await recorder.localFile(for: attachment) }
        return StageContext(
            pipelineRunID: runID,
            request: input.request,
            talent: input.talent,
            targets: input.targets,
            attachments: input.attachments,
            attachment: attachment,
            attachmentFile: attachmentFile,
            platforms: platforms,
            fencing: fencing,
            logger: logger,
            stageName: entry.name,
            outputs: outputs,
            sources: entry.sources
        )
    }

    /// Runs one stage run under the budget and records its start and its end.
    private func runUnit(
        _ unit: Unit, entry: PipelineDefinition.StageEntry, context: StageContext, priority: Int, runID: UUID, input: PipelineInput
    ) async -> UnitEnd {
        var context = context
        if entry.stage.usesCPU { await budget.acquire(priority: priority) }
        defer { if entry.stage.usesCPU { Task { await budget.release() } } }
        do {
            try await recorder.stageStarted(runID: runID, input: input, stage: entry.name, position: unit.position, attachmentID: unit.attachment?.id)
        } catch {
            return .failed(message: String(describing: error), error: error)
        }
        let reporter = ProgressReporter(interval: .milliseconds(500)) { [recorder, name = entry.name, id = unit.attachment?.id] text in
            try? await recorder.stageProgress(runID: runID, stage: name, attachmentID: id, text: text)
        }
        context.progress = { text in Task { await reporter.offer(text) } }
        defer { Task { await reporter.close() } }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let result = try await entry.stage.run(context)
            try await recorder.stageFinished(
                runID: runID,
                input: input,
                stage: entry.name,
                attachmentID: unit.attachment?.id,
                outcome: .succeeded(result, durationMs: Self.milliseconds(clock.now - started))
            )
            context.logger.debug("stage succeeded: \(result.summary)")
            return .succeeded(outputJSON: result.outputJSON)
        } catch is CancellationError {
            return .cancelled
        } catch {
            let message = String(describing: error)
            do {
                try await recorder.stageFinished(
                    runID: runID,
                    input: input,
                    stage: entry.name,
                    attachmentID: unit.attachment?.id,
                    outcome: .failed(error: message, durationMs: Self.milliseconds(clock.now - started))
                )
            } catch {
                return .failed(message: String(describing: error), error: error)
            }
            return .failed(message: message, error: error)
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
