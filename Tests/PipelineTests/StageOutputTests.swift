import Contracts
import Domain
import Foundation
import Isolation
import Logging
import Media
import NIOConcurrencyHelpers
import Pipeline
import Speech
import TestSupport
import Testing

/// Outputs cross stages as their declared types: a shape that changed under a consumer fails loudly, naming
/// the stage, the attachment and what did not decode, instead of reading as "no audio" or "no reels".
@Suite struct StageOutputTests {
    let attachment = AttachmentSnapshot(
        id: UUID(),
        filename: "memo.m4a",
        storagePath: "x/memo.m4a",
        mime: "audio/mp4",
        bytes: 1,
        sha256: "",
        role: .voiceMemo
    )

    /// A pipeline of `probe` then `transcribe`, where `probe` already succeeded with `probeJSON`.
    func runTranscribe(afterProbe probeJSON: String) async throws -> (PipelineRunner.Outcome, [String: String]) {
        var registry = StageRegistry()
        let worker = MediaWorkerClient(configuration: .init(executable: nil))
        registry.register(ProbeStage.self) { ProbeStage(configuration: $0, worker: worker) }
        registry.register(TranscribeStage.self) { TranscribeStage(configuration: $0, transcriber: SilentTranscriber()) }
        let pipeline = try PipelineDefinition.parse(
            text: "name: p\nstages:\n  - name: probe\n  - name: transcribe\n    needs: [probe]\n",
            file: "p.yaml",
            registry: registry
        )
        let recorder = MemoryRecorder(
            attachments: [attachment],
            recorded: [.init(stage: "probe", attachmentID: attachment.id, status: "succeeded", outputJSON: probeJSON)]
        )
        let presets = try PlatformPresets.load(from: TestEnvironment.pipelinesDirectory.appending(path: "platforms.yaml"))
        let outcome = try await PipelineRunner(pipeline: pipeline, platforms: presets, recorder: recorder)
            .run(requestID: UUID(), fencing: nil, logger: Logger(label: "test"))
        return (outcome, recorder.errors)
    }

    @Test func aConsumerReadingAChangedShapeFailsLoudly() async throws {
        // `streams` renamed to `tracks`: the old private mirror types read this as "no audio track".
        let (_, errors) = try await runTranscribe(afterProbe: #"{"container":"mov","kind":"audio","tracks":[]}"#)
        let error = try #require(errors["transcribe"])
        #expect(error.contains("stage 'transcribe' could not read the output of 'probe'"), "\(error)")
        #expect(error.contains("for attachment \(attachment.id.uuidString.lowercased())"), "\(error)")
        #expect(error.contains("as ProbeResult: missing 'streams'"), "\(error)")
    }

    @Test func aConsumerReadsTheDeclaredTypeWhenItsShapeHolds() async throws {
        let probe = ProbeResult(container: "mov", kind: "audio", streams: [.init(index: 0, type: "video", codec: "h264")])
        let json = String(decoding: try JSONEncoder().encode(probe), as: UTF8.self)
        let (outcome, errors) = try await runTranscribe(afterProbe: json)
        #expect(outcome == .complete)
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test func aStageCannotReadWhatItDidNotDeclare() async throws {
        var registry = StageRegistry()
        registry.register(SneakyStage.self) { _ in SneakyStage() }
        let pipeline = try PipelineDefinition.parse(text: "name: p\nstages:\n  - name: sneaky\n", file: "p.yaml", registry: registry)
        let recorder = MemoryRecorder(attachments: [], recorded: [])
        let presets = try PlatformPresets.load(from: TestEnvironment.pipelinesDirectory.appending(path: "platforms.yaml"))
        await #expect(throws: StageOutputError.self) {
            _ = try await PipelineRunner(pipeline: pipeline, platforms: presets, recorder: recorder)
                .run(requestID: UUID(), fencing: nil, logger: Logger(label: "test"))
        }
        #expect(recorder.errors["sneaky"]?.contains("without declaring it in its `reads`") == true, "\(recorder.errors)")
    }
}

/// Reads the draft without declaring it.
struct SneakyStage: Stage {
    typealias Configuration = NoOptions
    static let kind = "sneaky"
    static let scope = StageScope.request
    func run(_ context: StageContext) async throws -> StageResult<SneakyOutput> {
        _ = try context.output(DraftOutput.self)
        return StageResult(summary: "", output: SneakyOutput())
    }
}

struct SneakyOutput: StageOutput {
    static let producer = "sneaky"
}

struct SilentTranscriber: Transcriber {
    let name = "silent"
    func transcribe(file: URL, maxDurationSeconds: Double) async throws -> Transcript {
        Transcript(engine: name, text: "", words: [], durationSeconds: 0)
    }
}

/// Keeps a run in memory: the recorded stage runs it starts from, and the errors stages end with.
final class MemoryRecorder: PipelineRecorder {
    let input: PipelineInput
    let recorded: [RecordedStageRun]
    private let failures = NIOLockedValueBox<[String: String]>([:])

    /// A request of an operator's, for a talent with no accounts, with these attachments and earlier stage runs.
    init(attachments: [AttachmentSnapshot], recorded: [RecordedStageRun]) {
        input = PipelineInput(
            request: .init(
                id: UUID(),
                tenantID: UUID(),
                talentID: UUID(),
                source: .operator,
                promptText: nil,
                targetAccountIDs: [],
                status: .received
            ),
            talent: .init(id: UUID(), tenantID: UUID(), slug: "t", displayName: "T"),
            targets: [],
            attachments: attachments
        )
        self.recorded = recorded
    }

    var errors: [String: String] { failures.withLockedValue { $0 } }

    func loadInput(requestID: UUID) async throws -> PipelineInput? { input }
    func beginRun(input: PipelineInput, pipeline: String, fencing: FencingToken?) async throws -> BegunPipelineRun? {
        BegunPipelineRun(runID: UUID(), recorded: recorded)
    }
    func setRequestStatus(_ status: PostRequestStatus, reason: String?, requestID: UUID) async throws {}
    func stageStarted(runID: UUID, input: PipelineInput, stage: String, position: Int, attachmentID: UUID?) async throws {}
    func stageFinished(runID: UUID, input: PipelineInput, stage: String, attachmentID: UUID?, outcome: StageOutcome) async throws {
        if case .failed(let error, _) = outcome { failures.withLockedValue { $0[stage] = error } }
    }
    func finishRun(runID: UUID, requestID: UUID, status: PostRequestStatus, error: String?) async throws {}
    func localFile(for attachment: AttachmentSnapshot) async throws -> URL { URL(filePath: "/dev/null") }
}
