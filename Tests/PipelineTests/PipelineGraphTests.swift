import Domain
import Foundation
import Logging
@testable import Pipeline
import TestSupport
import Testing

/// The runner runs the pipeline as a graph: stage runs whose needs are met start together, a failure in one
/// leaves the others' outputs, and a resume runs only what did not finish.
@Suite struct PipelineGraphTests {
    let presets: PlatformPresets

    init() throws {
        presets = try PlatformPresets.load(from: TestEnvironment.pipelinesDirectory.appending(path: "platforms.yaml"))
    }

    static func registry(_ world: GraphWorld) -> StageRegistry {
        var registry = StageRegistry()
        registry.register(MeetStage.self) { _ in MeetStage(world: world) }
        registry.register(EachStage.self) { _ in EachStage(world: world) }
        registry.register(NoteStage.self) { _ in NoteStage(world: world) }
        registry.register(VoiceStage.self) { _ in VoiceStage() }
        return registry
    }

    @Test func independentStagesOfOneRequestRunTogether() async throws {
        // `left` and `right` need nothing of each other, and each waits until the other has started: one after
        // the other they would never finish. `after` needs both.
        let world = GraphWorld(meeting: ["left", "right"])
        let pipeline = try PipelineDefinition.parse(
            text: """
                name: g
                stages:
                  - name: left
                    kind: meet
                  - name: right
                    kind: meet
                  - name: after
                    kind: note
                    needs: [left, right]
                """,
            file: "g.yaml",
            registry: Self.registry(world)
        )
        let recorder = GraphRecorder(attachments: [])
        let outcome = try await PipelineRunner(pipeline: pipeline, platforms: presets, recorder: recorder, budget: StageBudget(permits: 2))
            .run(requestID: UUID(), fencing: nil, logger: Logger(label: "test"))
        #expect(outcome == .complete, "\(recorder.failures)")
        // From the recorded starts and ends: both started before either ended, and `after` started after both.
        let left = try #require(recorder.span("left")), right = try #require(recorder.span("right")), after = try #require(recorder.span("after"))
        #expect(left.start < right.end && right.start < left.end, "left \(left), right \(right)")
        #expect(after.start >= max(left.end, right.end))
    }

    @Test func theAttachmentsOfOneRequestAreAnalysedTogether() async throws {
        let photos = (0..<2).map { index in
            AttachmentSnapshot(id: UUID(), filename: "p\(index).jpg", storagePath: "x/p\(index)", mime: "image/jpeg", bytes: 1, sha256: "", role: .media)
        }
        let world = GraphWorld(meeting: Set(photos.map(\.id.uuidString)))
        let pipeline = try PipelineDefinition.parse(
            text: "name: g\nstages:\n  - name: each\n  - name: after\n    kind: note\n    needs: [each]\n",
            file: "g.yaml",
            registry: Self.registry(world)
        )
        let recorder = GraphRecorder(attachments: photos)
        let outcome = try await PipelineRunner(pipeline: pipeline, platforms: presets, recorder: recorder, budget: StageBudget(permits: 2))
            .run(requestID: UUID(), fencing: nil, logger: Logger(label: "test"))
        #expect(outcome == .complete, "\(recorder.failures)")
        #expect(recorder.runs("each") == 2 && recorder.runs("after") == 1)
    }

    @Test func aFailureLeavesTheOtherStagesOutputAndTheResumeRunsOnlyWhatIsLeft() async throws {
        // `flaky` fails transiently the first time while `steady` succeeds beside it; the job's retry resumes:
        // `steady` is not run again, `flaky` and `after` are.
        let world = GraphWorld(meeting: [], failingOnce: ["flaky"])
        let pipeline = try PipelineDefinition.parse(
            text: """
                name: g
                stages:
                  - name: flaky
                    kind: note
                  - name: steady
                    kind: note
                  - name: after
                    kind: note
                    needs: [flaky, steady]
                """,
            file: "g.yaml",
            registry: Self.registry(world)
        )
        let recorder = GraphRecorder(attachments: [])
        let runner = PipelineRunner(pipeline: pipeline, platforms: presets, recorder: recorder, budget: StageBudget(permits: 2))
        await #expect(throws: TransientTrouble.self) {
            _ = try await runner.run(requestID: UUID(), fencing: nil, logger: Logger(label: "test"))
        }
        #expect(recorder.runs("steady") == 1 && recorder.succeeded("steady"), "the other stage's output is kept")
        #expect(recorder.runs("after") == 0, "nothing that needs the failed stage ran")
        let outcome = try await runner.run(requestID: UUID(), fencing: nil, logger: Logger(label: "test"))
        #expect(outcome == .complete, "\(recorder.failures)")
        #expect(recorder.runs("steady") == 1, "not run again")
        #expect(recorder.runs("flaky") == 2 && recorder.runs("after") == 1)
    }

    @Test func theBudgetBoundsStageRunsThatUseTheCPU() async throws {
        // Four attachments, one permit: never two `each` runs at once.
        let photos = (0..<4).map { index in
            AttachmentSnapshot(id: UUID(), filename: "p\(index).jpg", storagePath: "x/p\(index)", mime: "image/jpeg", bytes: 1, sha256: "", role: .media)
        }
        let world = GraphWorld(meeting: [])
        let pipeline = try PipelineDefinition.parse(text: "name: g\nstages:\n  - name: each\n", file: "g.yaml", registry: Self.registry(world))
        let recorder = GraphRecorder(attachments: photos)
        _ = try await PipelineRunner(pipeline: pipeline, platforms: presets, recorder: recorder, budget: StageBudget(permits: 1))
            .run(requestID: UUID(), fencing: nil, logger: Logger(label: "test"))
        #expect(world.mostAtOnce == 1 && recorder.runs("each") == 4)
    }

    @Test func theRunMoreWorkWaitsForGoesFirstThoughItsStageIsTheSame() async throws {
        // Three photos and a voice memo, last; `voice` runs for the memo alone, after its `each`. The memo's
        // `each` has the longer chain after it, so with one permit, held until all four wait, it goes first.
        let photos = (0..<3).map { index in
            AttachmentSnapshot(id: UUID(), filename: "p\(index).jpg", storagePath: "x/p\(index)", mime: "image/jpeg", bytes: 1, sha256: "", role: .media)
        }
        let memo = AttachmentSnapshot(id: UUID(), filename: "memo.m4a", storagePath: "x/memo", mime: "audio/mp4", bytes: 1, sha256: "", role: .voiceMemo)
        let world = GraphWorld(meeting: [])
        let pipeline = try PipelineDefinition.parse(
            text: "name: g\nstages:\n  - name: each\n  - name: voice\n    kind: voice\n    needs: [each]\n",
            file: "g.yaml",
            registry: Self.registry(world)
        )
        let recorder = GraphRecorder(attachments: photos + [memo])
        let budget = StageBudget(permits: 1)
        await budget.acquire()
        let runner = PipelineRunner(pipeline: pipeline, platforms: presets, recorder: recorder, budget: budget)
        let run = Task { try await runner.run(requestID: UUID(), fencing: nil, logger: Logger(label: "test")) }
        while await budget.waiting < 4 { await Task.yield() }
        await budget.release()
        #expect(try await run.value == .complete, "\(recorder.failures)")
        #expect(recorder.started("each").first == memo.id, "each ran for \(recorder.started("each")), the memo is \(memo.id)")
        #expect(recorder.started("voice") == [memo.id])
    }

    @Test func aFreedPermitGoesToTheHighestPriorityThenTheLongestWaiter() async throws {
        let budget = StageBudget(permits: 1)
        await budget.acquire()
        let order = VisibleLock([String]())
        func waiter(_ name: String, priority: Int) -> Task<Void, Never> {
            Task {
                await budget.acquire(priority: priority)
                order.withLock { $0.append(name) }
                await budget.release()
            }
        }
        // Each waiter is queued before the next starts, so "low" and "early" wait longer than "high".
        var tasks: [Task<Void, Never>] = []
        for (name, priority) in [("low", 1), ("early", 3), ("high", 5), ("late", 3)] {
            let queued = await budget.waiting
            tasks.append(waiter(name, priority: priority))
            while await budget.waiting == queued { await Task.yield() }
        }
        await budget.release()
        for task in tasks { await task.value }
        #expect(order.withLock { $0 } == ["high", "early", "late", "low"])
        #expect(await budget.waiting == 0)
    }
}

/// What the test stages share: who has started, who must meet, which stages fail once, how many run at once.
final class GraphWorld: Sendable {
    private struct State {
        var started: Set<String> = []
        var failed: Set<String> = []
        var now = 0
        var most = 0
    }
    let meeting: Set<String>
    let failingOnce: Set<String>
    private let state = VisibleLock(State())

    init(meeting: Set<String>, failingOnce: Set<String> = []) {
        self.meeting = meeting
        self.failingOnce = failingOnce
    }

    var mostAtOnce: Int { state.withLock { $0.most } }

    /// Notes that `name` started and waits until every other member of the meeting has: a runner that does
    /// not overlap them never gets there, and after 120 s of nothing happening the stage gives up.
    func meet(_ name: String) async throws {
        state.withLock { _ = $0.started.insert(name) }
        for _ in 0..<12_000 {
            if state.withLock({ meeting.isSubset(of: $0.started) }) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw StageFailure("\(name) waited alone: the stages it should overlap with never started")
    }

    func enter() -> Int {
        state.withLock { state in
            state.now += 1
            state.most = max(state.most, state.now)
            return state.now
        }
    }

    func leave() { state.withLock { $0.now -= 1 } }

    /// Whether `name` fails this time (the first time, for the stages listed).
    func failsNow(_ name: String) -> Bool {
        guard failingOnce.contains(name) else { return false }
        return state.withLock { $0.failed.insert(name).inserted }
    }
}

struct TransientTrouble: Error {}

struct GraphMark: StageOutput {
    static let producer = "note"
    var by: String
}

struct MeetMark: StageOutput {
    static let producer = "meet"
    var by: String
}

struct EachMark: StageOutput {
    static let producer = "each"
    var by: String
}

/// Waits for the other members of the meeting (by stage name).
struct MeetStage: Stage {
    typealias Configuration = NoOptions
    static let kind = "meet"
    static let scope = StageScope.request
    let world: GraphWorld
    func run(_ context: StageContext) async throws -> StageResult<MeetMark> {
        try await world.meet(context.stageName)
        return StageResult(summary: "met", output: MeetMark(by: context.stageName))
    }
}

/// Per attachment: meets the other attachments (by id) when they are the meeting, and counts who runs at once.
struct EachStage: Stage {
    typealias Configuration = NoOptions
    static let kind = "each"
    static let scope = StageScope.attachment
    let world: GraphWorld
    func run(_ context: StageContext) async throws -> StageResult<EachMark> {
        _ = world.enter()
        defer { world.leave() }
        let id = context.attachment?.id.uuidString ?? ""
        if world.meeting.contains(id) {
            try await world.meet(id)
        } else {
            try await Task.sleep(for: .milliseconds(20))
        }
        return StageResult(summary: "done", output: EachMark(by: id))
    }
}

struct VoiceMark: StageOutput {
    static let producer = "voice"
    var by: String
}

/// Per voice memo only (as transcription): succeeds after a moment.
struct VoiceStage: Stage {
    typealias Configuration = NoOptions
    static let kind = "voice"
    static let scope = StageScope.attachment
    func accepts(_ attachment: AttachmentSnapshot) -> Bool { attachment.role == .voiceMemo }
    func run(_ context: StageContext) async throws -> StageResult<VoiceMark> {
        try await Task.sleep(for: .milliseconds(20))
        return StageResult(summary: "heard", output: VoiceMark(by: context.attachment?.id.uuidString ?? ""))
    }
}

/// Succeeds at once, or fails transiently the first time for the stages the world says.
struct NoteStage: Stage {
    typealias Configuration = NoOptions
    static let kind = "note"
    static let scope = StageScope.request
    let world: GraphWorld
    func run(_ context: StageContext) async throws -> StageResult<GraphMark> {
        if world.failsNow(context.stageName) { throw TransientTrouble() }
        try await Task.sleep(for: .milliseconds(20))
        return StageResult(summary: "noted", output: GraphMark(by: context.stageName))
    }
}

/// Keeps every stage run across runs of one request, with its start and end, as the database would.
final class GraphRecorder: PipelineRecorder {
    struct Run {
        var stage: String
        var attachmentID: UUID?
        var start: ContinuousClock.Instant
        var end: ContinuousClock.Instant?
        var status = "running"
        var outputJSON: String?
        var error: String?
    }
    let input: PipelineInput
    private let log = VisibleLock<[Run]>([])

    init(attachments: [AttachmentSnapshot]) {
        input = PipelineInput(
            request: .init(id: UUID(), tenantID: UUID(), talentID: UUID(), source: .operator, promptText: nil, targetAccountIDs: [], status: .received),
            talent: .init(id: UUID(), tenantID: UUID(), slug: "t", displayName: "T"),
            targets: [],
            attachments: attachments
        )
    }

    var failures: [String] { log.withLock { $0.compactMap { $0.error.map { "\($0)" } } } }
    func runs(_ stage: String) -> Int { log.withLock { $0.filter { $0.stage == stage }.count } }
    /// The attachments `stage` ran for, in the order its runs started.
    func started(_ stage: String) -> [UUID?] { log.withLock { $0.filter { $0.stage == stage }.map(\.attachmentID) } }
    func succeeded(_ stage: String) -> Bool { log.withLock { $0.contains { $0.stage == stage && $0.status == "succeeded" } } }
    func span(_ stage: String) -> (start: ContinuousClock.Instant, end: ContinuousClock.Instant)? {
        log.withLock { runs in runs.last { $0.stage == stage }.flatMap { run in run.end.map { (run.start, $0) } } }
    }

    func loadInput(requestID: UUID) async throws -> PipelineInput? { input }
    func beginRun(input: PipelineInput, pipeline: String, fencing: FencingToken?) async throws -> BegunPipelineRun? {
        // The latest verdict of each stage run, as the recorder hands a resume.
        let latest = log.withLock { runs -> [RecordedStageRun] in
            var byKey: [String: Run] = [:]
            for run in runs { byKey["\(run.stage)@\(run.attachmentID?.uuidString ?? "")"] = run }
            return byKey.values.map { .init(stage: $0.stage, attachmentID: $0.attachmentID, status: $0.status, outputJSON: $0.outputJSON) }
        }
        return BegunPipelineRun(runID: UUID(), recorded: latest)
    }
    func setRequestStatus(_ status: PostRequestStatus, reason: String?, requestID: UUID) async throws {}
    func stageStarted(runID: UUID, input: PipelineInput, stage: String, position: Int, attachmentID: UUID?) async throws {
        log.withLock { $0.append(Run(stage: stage, attachmentID: attachmentID, start: .now)) }
    }
    func stageFinished(runID: UUID, input: PipelineInput, stage: String, attachmentID: UUID?, outcome: StageOutcome) async throws {
        log.withLock { runs in
            guard let index = runs.lastIndex(where: { $0.stage == stage && $0.attachmentID == attachmentID && $0.end == nil }) else { return }
            runs[index].end = .now
            switch outcome {
            case .succeeded(let result, _):
                runs[index].status = "succeeded"
                runs[index].outputJSON = result.outputJSON
            case .failed(let error, _):
                runs[index].status = "failed"
                runs[index].error = "\(stage): \(error)"
            }
        }
    }
    func finishRun(runID: UUID, requestID: UUID, status: PostRequestStatus, error: String?) async throws {}
    func localFile(for attachment: AttachmentSnapshot) async throws -> URL { URL(filePath: "/dev/null") }
}

/// A lock ThreadSanitizer can follow, for this file's recorders, which stages running at once contend for.
/// Swift's `Mutex` on Linux hands a contended lock to the waiter inside the kernel (`FUTEX_LOCK_PI`, in the
/// uninstrumented runtime), so ThreadSanitizer sees no happens-before edge and reports the next access as a race
/// (`scripts/test --sanitize thread` stopped here once); `NSLock` is a pthread mutex, which it intercepts.
private final class VisibleLock<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
