import Agents
import Contracts
import Domain
import Foundation
import Logging
import Pipeline
import Synchronization

/// The brief every bench request drafts from: a talent with three accounts (Instagram, TikTok, LinkedIn), a
/// prompt, and one 42-second video whose transcript and on-screen text analysis found.
///
/// `ContentBrief` has no public memberwise init and `StageContext` no public init, so the brief is made the
/// way the draft stage makes it: a four-stage pipeline (fixed probe, transcribe and ocr outputs, then a stage
/// that keeps `ContentBrief(context:)`) run by the real `PipelineRunner` over an in-memory recorder.
enum BenchBrief {
    static let prompt = """
        New studio tour is live! Walk people through the new recording room, mention the open house on \
        Saturday from 10 to 4, and invite them to book a free first session.
        """

    static let transcript = """
        Hi everyone, welcome to the new studio. We spent the last three months building this room: the walls \
        are treated, the desk is new, and the big window lets the morning light in, which is why we start our \
        sessions early now. Over here is the vocal booth, it fits two people, and behind me is the mixing desk \
        where we finish every episode. On Saturday we are opening the doors from ten to four, so come by, have \
        a coffee, try the microphones and ask us anything about recording your own podcast. If you book a \
        session that day, your first hour is free. See you on Saturday.
        """

    static let onScreenText = """
        OPEN HOUSE SATURDAY 10-4
        First hour free
        Book at studio-north.example
        """

    static let talent = TalentSnapshot(
        id: UUID(),
        tenantID: UUID(),
        slug: "studio-north",
        displayName: "Studio North",
        contentPillars: ["podcast production", "behind the scenes", "creator tips"],
        hashtagPreferences: ["#StudioNorth", "#PodcastLife", "#CreatorTips"],
        doNotSay: ["guaranteed results", "cheapest in town"],
        styleGuide: "Warm and direct, first person plural. No more than one exclamation mark per post. Rejected before: too salesy.",
        persona: "A small podcast studio run by two producers who like explaining how things work."
    )

    static let accounts = [
        AccountSnapshot(id: UUID(), platform: .instagram, handle: "@studionorth", channel: "instagram"),
        AccountSnapshot(id: UUID(), platform: .tiktok, handle: "@studionorth", channel: "tiktok"),
        AccountSnapshot(id: UUID(), platform: .linkedin, handle: "Studio North", channel: "linkedin"),
    ]

    /// Builds the brief through the pipeline runner.
    static func make() async throws -> ContentBrief {
        let presets = try PlatformPresets.load(from: repositoryRoot.appending(path: "pipelines/platforms.yaml"))
        let kept = KeptBrief()
        var registry = StageRegistry()
        registry.register(FixedProbeStage.self) { _ in FixedProbeStage() }
        registry.register(FixedTranscribeStage.self) { _ in FixedTranscribeStage() }
        registry.register(FixedOCRStage.self) { _ in FixedOCRStage() }
        registry.register(KeepBriefStage.self) { _ in KeepBriefStage(kept: kept) }
        let pipeline = try PipelineDefinition.parse(
            text: """
                name: bench-brief
                stages:
                  - name: probe
                  - name: transcribe
                    needs: [probe]
                  - name: ocr
                    needs: [probe]
                  - name: brief
                    kind: bench-brief
                    needs: [probe, transcribe, ocr]
                """,
            file: "bench-brief.yaml",
            registry: registry
        )
        let request = PostRequestSnapshot(
            id: UUID(),
            tenantID: talent.tenantID,
            talentID: talent.id,
            source: .operator,
            promptText: prompt,
            targetAccountIDs: accounts.map(\.id),
            status: .received
        )
        let video = AttachmentSnapshot(
            id: UUID(),
            filename: "studio-tour.mp4",
            storagePath: "bench/studio-tour.mp4",
            mime: "video/mp4",
            bytes: 48_213_004,
            sha256: String(repeating: "0", count: 64)
        )
        let recorder = InMemoryRecorder(input: PipelineInput(request: request, talent: talent, targets: accounts, attachments: [video]))
        let runner = PipelineRunner(pipeline: pipeline, platforms: presets, recorder: recorder)
        var logger = Logger(label: "bench.brief")
        logger.logLevel = .error
        let outcome = try await runner.run(requestID: request.id, fencing: nil, logger: logger)
        guard outcome == .complete, let brief = kept.brief.withLock({ $0 }) else {
            throw BenchFailure("the brief pipeline ended \(outcome)")
        }
        return brief
    }

    /// The package root, from this file's place in it (`bench/AgentBench/`).
    static let repositoryRoot = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A failure of the bench itself (not of the code it measures).
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: The brief pipeline

/// Where the last stage leaves the brief.
final class KeptBrief: Sendable {
    let brief = Mutex<ContentBrief?>(nil)
}

struct KeptBriefOutput: StageOutput {
    static let producer = "bench-brief"
    var accounts: Int
}

struct KeepBriefStage: Stage {
    typealias Configuration = NoOptions
    static let kind = "bench-brief"
    static let scope = StageScope.request
    static let reads = ContentBrief.reads
    let kept: KeptBrief

    func run(_ context: StageContext) async throws -> StageResult<KeptBriefOutput> {
        let brief = try ContentBrief(context: context)
        kept.brief.withLock { $0 = brief }
        return StageResult(summary: "brief kept", output: KeptBriefOutput(accounts: brief.targets.count))
    }
}

struct FixedProbeStage: Stage {
    typealias Configuration = NoOptions
    static let kind = ProbeResult.producer
    static let scope = StageScope.attachment

    func run(_ context: StageContext) async throws -> StageResult<ProbeResult> {
        var video = ProbeResult.Stream(index: 0, type: "video", codec: "h264")
        video.width = 1080
        video.height = 1920
        video.framesPerSecond = 30
        var audio = ProbeResult.Stream(index: 1, type: "audio", codec: "aac")
        audio.sampleRate = 48_000
        audio.channels = 2
        return StageResult(summary: "video", output: ProbeResult(container: "mov,mp4,m4a", kind: "video", durationSeconds: 42.4, streams: [video, audio]))
    }
}

struct FixedTranscribeStage: Stage {
    typealias Configuration = NoOptions
    static let kind = Transcript.producer
    static let scope = StageScope.attachment

    func run(_ context: StageContext) async throws -> StageResult<Transcript> {
        StageResult(
            summary: "transcript",
            output: Transcript(engine: "bench", text: BenchBrief.transcript, words: [], durationSeconds: 42.4),
            transcript: BenchBrief.transcript
        )
    }
}

struct FixedOCRStage: Stage {
    typealias Configuration = NoOptions
    static let kind = OnScreenText.producer
    static let scope = StageScope.attachment

    func run(_ context: StageContext) async throws -> StageResult<OnScreenText> {
        StageResult(summary: "text", output: OnScreenText(text: BenchBrief.onScreenText, blocks: nil, scenes: nil))
    }
}

/// A recorder that loads one fixed request and records nothing.
struct InMemoryRecorder: PipelineRecorder {
    let input: PipelineInput

    func loadInput(requestID: UUID) async throws -> PipelineInput? { input }
    func beginRun(input: PipelineInput, pipeline: String, fencing: FencingToken?) async throws -> BegunPipelineRun? {
        BegunPipelineRun(runID: UUID(), recorded: [])
    }
    func setRequestStatus(_ status: PostRequestStatus, reason: String?, requestID: UUID) async throws {}
    func stageStarted(runID: UUID, input: PipelineInput, stage: String, position: Int, attachmentID: UUID?) async throws {}
    func stageFinished(runID: UUID, input: PipelineInput, stage: String, attachmentID: UUID?, outcome: StageOutcome) async throws {}
    func finishRun(runID: UUID, requestID: UUID, status: PostRequestStatus, error: String?) async throws {}
    func localFile(for attachment: AttachmentSnapshot) throws -> URL { URL(filePath: "/dev/null") }
}
