import Agents
import Blobs
import Contracts
import Domain
import Foundation
import Isolation
import Media
import Pipeline
import Reels
import Speech
import TestSupport
import Testing
import TextRecognition

@Suite struct PipelineLoaderTests {
    var registry: StageRegistry {
        var registry = StageRegistry()
        let worker = MediaWorkerClient(configuration: .init(executable: nil))
        registry.register(ProbeStage.self) { ProbeStage(configuration: $0, worker: worker) }
        registry.register(ScenesStage.self) { ScenesStage(configuration: $0, worker: worker) }
        let blobs = try! LocalBlobStore(root: FileManager.default.temporaryDirectory.appending(path: "drsocial-loader-blobs"))
        registry.register(KeyframesStage.self) { KeyframesStage(configuration: $0, worker: worker, blobs: blobs) }
        registry.register(OCRStage.self) { OCRStage(configuration: $0, worker: worker, keyframeFile: { try await blobs.localFile(for: $0) }) }
        registry.register(TranscribeStage.self) { TranscribeStage(configuration: $0, transcriber: OfflineTranscriber(worker: worker)) }
        let folder = TestEnvironment.pipelinesDirectory
        let platforms = try! PlatformPresets.load(from: folder.appending(path: "platforms.yaml"))
        let templates = try! ReelTemplates.load(from: folder.appending(path: "reels"), platforms: platforms)
        registry.register(ComposeStage.self) {
            try ComposeStage(configuration: $0, templates: templates, pipelinesDirectory: folder, worker: worker, blobs: blobs)
        }
        registry.register(DraftStage.self) { _ in DraftStage(agent: OfflineContentAgent()) }
        registry.register(ModerateStage.self) { _ in ModerateStage() }
        return registry
    }

    func load(_ text: String) throws -> PipelineDefinition {
        try PipelineDefinition.parse(text: text, file: "test.yaml", registry: registry)
    }

    func expectError(_ text: String, line: Int?, containing fragment: String) {
        do {
            _ = try load(text)
            Issue.record("expected an error containing \(fragment)")
        } catch let error as PipelineConfigurationError {
            #expect(error.file == "test.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func theShippedPipelineLoads() throws {
        var full = registry
        struct Fake: Stage {
            typealias Configuration = NoOptions
            static let kind = "enqueue"
            static let scope = StageScope.request
            static let reads: [StageRead] = [.required(ModerationOutput.self)]
            func run(_ context: StageContext) async throws -> StageResult<EnqueueOutput> { StageResult(summary: "", output: EnqueueOutput()) }
        }
        full.register(Fake.self) { _ in Fake() }
        let pipeline = try PipelineDefinition.load(from: TestEnvironment.pipelinesDirectory.appending(path: "post-request.yaml"), registry: full)
        #expect(pipeline.stages.map(\.name) == ["probe", "scenes", "keyframes", "ocr", "transcribe", "compose", "draft", "moderate", "enqueue"])
        let presets = try PlatformPresets.load(from: TestEnvironment.pipelinesDirectory.appending(path: "platforms.yaml"))
        #expect(presets[.linkedin].captionLimit == 3000)
    }

    @Test func unknownStageNamesFileAndLine() {
        expectError("name: p\nstages:\n  - name: probe\n  - name: sparkle\n", line: 4, containing: "unknown stage 'sparkle'")
    }

    @Test func badOptionTypeIsRefused() {
        expectError("name: p\nstages:\n  - name: probe\n    options:\n      max_dimension: huge\n", line: 5, containing: "options of 'probe'")
    }

    @Test func aMinimumContentValueOffItsScaleIsRefused() {
        expectError(
            "name: p\nstages:\n  - name: probe\n  - name: scenes\n    needs: [probe]\n    options:\n      min_content_value: 300\n",
            line: 7,
            containing: "'min_content_value': must be 0–255"
        )
    }

    @Test func unknownOptionIsRefused() {
        expectError("name: p\nstages:\n  - name: probe\n    options:\n      max_dimensoin: 10\n", line: 5, containing: "unknown key 'max_dimensoin'")
    }

    @Test func aStageWithoutOptionsRefusesEveryOption() {
        expectError(
            "name: p\nstages:\n  - name: probe\n  - name: draft\n    needs: [probe]\n    options:\n      none: 1\n",
            line: 7,
            containing: "unknown key 'none'"
        )
    }

    @Test func optionNamesComeFromTheConfigurationsOptions() {
        #expect(ProbeStage.Configuration.optionNames == ["max_duration_seconds", "max_dimension", "deadline_seconds"])
        #expect(NoOptions.optionNames.isEmpty)
    }

    @Test func givenOptionsReplaceTheirDefaultsAndTheOthersKeepTheirs() throws {
        struct Decoded: Decodable {
            let configuration: ScenesStage.Configuration
            init(from decoder: any Decoder) throws { configuration = try .init(decodingOptionsFrom: decoder) }
        }
        let decoded = try JSONDecoder().decode(Decoded.self, from: Data(#"{"analysis_width": 128, "detector": "content"}"#.utf8))
        #expect(decoded.configuration.analysisWidth == 128)
        #expect(decoded.configuration.detector == "content")
        #expect(decoded.configuration.deadlineSeconds == ScenesStage.Configuration().deadlineSeconds)
    }

    @Test func anOptionOutOfRangeIsNamed() {
        expectError(
            "name: p\nstages:\n  - name: transcribe\n    options:\n      max_duration_seconds: -1\n",
            line: 5,
            containing: "'max_duration_seconds': must be positive"
        )
    }

    @Test func cyclesAreRefused() {
        expectError(
            "name: p\nstages:\n  - name: draft\n    needs: [moderate]\n  - name: moderate\n    needs: [draft]\n",
            line: 3,
            containing: "cycle"
        )
    }

    @Test func unknownNeedIsRefused() {
        expectError("name: p\nstages:\n  - name: draft\n    needs: [probe]\n", line: 3, containing: "needs unknown stage 'probe'")
    }

    @Test func malformedYAMLIsRefused() {
        expectError("name: p\nstages: [\n  - name: draft\n", line: 3, containing: "not valid YAML")
    }

    @Test func dependenciesRunFirst() throws {
        let pipeline = try load("name: p\nstages:\n  - name: keyframes\n    needs: [scenes]\n  - name: scenes\n")
        #expect(pipeline.stages.map(\.name) == ["scenes", "keyframes"])
    }

    @Test func missingPresetIsRefused() {
        let text =
            "platforms:\n  instagram: {caption_limit: 1, hashtag_limit: 1, aspect: '1:1', max_video_seconds: 1, max_file_bytes: 1, safe_area: {top: 0, bottom: 0, left: 0, right: 0}}\n"
        #expect(throws: PipelineConfigurationError.self) { try PlatformPresets.parse(text: text, file: "platforms.yaml") }
        do {
            _ = try PlatformPresets.parse(text: text, file: "platforms.yaml")
        } catch let error as PipelineConfigurationError {
            #expect(error.message.contains("missing preset for 'tiktok'"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func missingFileIsRefused() {
        #expect(throws: PipelineConfigurationError.self) {
            try PipelineDefinition.load(from: URL(filePath: "/nonexistent/post-request.yaml"), registry: registry)
        }
    }

    // MARK: Declared reads

    @Test func aStageReadingAnOutputItDoesNotNeedIsRefusedAtItsLine() {
        // ocr reads the keyframes; here it needs only probe, although the pipeline has a keyframes stage.
        let text = """
            name: p
            stages:
              - name: probe
              - name: scenes
                needs: [probe]
              - name: keyframes
                needs: [scenes]
              - name: ocr
                needs: [probe]
            """
        expectError(text, line: 8, containing: "stage 'ocr' reads KeyframeList from 'keyframes' but does not need it: add 'keyframes'")
    }

    @Test func aRequiredReadWithNoProducerIsRefused() {
        expectError("name: p\nstages:\n  - name: moderate\n", line: 3, containing: "reads DraftOutput from 'draft' but does not need it")
    }

    @Test func anOptionalReadMayBeMissingFromThePipelineButNotFromTheNeeds() throws {
        // transcribe reads the probe when there is one: without a probe stage it loads, with one it must need it.
        _ = try load("name: p\nstages:\n  - name: transcribe\n")
        expectError("name: p\nstages:\n  - name: probe\n  - name: transcribe\n", line: 4, containing: "add 'probe' to its needs")
    }

    @Test func readsMayComeThroughIndirectNeeds() throws {
        let pipeline = try load(
            "name: p\nstages:\n  - name: probe\n  - name: scenes\n    needs: [probe]\n  - name: keyframes\n    needs: [scenes]\n  - name: ocr\n    needs: [keyframes]\n"
        )
        #expect(pipeline.stages.first { $0.name == "ocr" }?.sources["keyframes"] == .some("keyframes"))
    }

    @Test func rerunningAStageAffectsEveryStageThatNeedsItDirectlyOrNot() throws {
        var full = registry
        full.register(EnqueueStub.self) { _ in EnqueueStub() }
        let pipeline = try PipelineDefinition.load(from: TestEnvironment.pipelinesDirectory.appending(path: "post-request.yaml"), registry: full)
        #expect(pipeline.stagesAffected(byRerunning: ["ocr"]) == ["ocr", "draft", "moderate", "enqueue"])
        #expect(pipeline.stagesAffected(byRerunning: ["scenes"]) == ["scenes", "keyframes", "ocr", "compose", "draft", "moderate", "enqueue"])
        #expect(pipeline.stagesAffected(byRerunning: ["enqueue"]) == ["enqueue"])
    }
}

/// Stands in for the Workers target's enqueue stage, which needs a database.
struct EnqueueStub: Stage {
    typealias Configuration = NoOptions
    static let kind = "enqueue"
    static let scope = StageScope.request
    static let reads: [StageRead] = [.required(ModerationOutput.self)]
    func run(_ context: StageContext) async throws -> StageResult<EnqueueOutput> { StageResult(summary: "", output: EnqueueOutput()) }
}
