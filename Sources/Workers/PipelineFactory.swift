import Agents
public import Blobs
import Domain
public import Foundation
public import LLMRouter
public import Media
public import Pipeline
import Reels
public import Speech
public import Store
import TextRecognition

/// Builds the stage registry and loads `pipelines/` at start-up.
public enum PipelineFactory {
    /// Loads and validates `post-request.yaml` and `platforms.yaml` from `directory` (throws with file and line),
    /// with every stage kind the file may name.
    /// - Parameter transcriber: the speech engine; nil is the offline pocketsphinx default.
    /// - Parameter llmRouter: drafts and moderates when given; nil leaves it to the offline drafter.
    public static func loadPostRequestRunner(
        directory: URL,
        pool: PostgresPool,
        blobs: any BlobStore,
        queue: JobQueue,
        mediaWorker: MediaWorkerClient,
        transcriber: (any Transcriber)? = nil,
        llmRouter: LLMRouterClient? = nil,
        budget: StageBudget = StageBudget()
    ) throws -> PipelineRunner {
        let platforms = try PlatformPresets.load(from: directory.appending(path: "platforms.yaml"))
        var registry = StageRegistry()
        let speech = transcriber ?? OfflineTranscriber(worker: mediaWorker)
        registry.register(ProbeStage.self) { ProbeStage(configuration: $0, worker: mediaWorker) }
        registry.register(ScenesStage.self) { ScenesStage(configuration: $0, worker: mediaWorker) }
        registry.register(KeyframesStage.self) { KeyframesStage(configuration: $0, worker: mediaWorker, blobs: blobs) }
        registry.register(OCRStage.self) { OCRStage(configuration: $0, worker: mediaWorker, keyframeFile: { try await blobs.localFile(for: $0) }) }
        registry.register(TranscribeStage.self) { TranscribeStage(configuration: $0, transcriber: speech) }
        registry.register(ComposeStage.self) { configuration in
            let templates = try ReelTemplates.load(from: directory.appending(path: "reels"), platforms: platforms)
            return try ComposeStage(
                configuration: configuration,
                templates: templates,
                pipelinesDirectory: directory,
                worker: mediaWorker,
                blobs: blobs
            )
        }
        // With a router, drafting and the second pass of moderation go through it; without one, the offline
        // drafter and the never-say list do the work. Never one behind the other's back.
        registry.register(DraftStage.self) { _ in
            DraftStage(agent: llmRouter.map { LLMContentAgent(client: $0) } ?? OfflineContentAgent())
        }
        registry.register(ModerateStage.self) { _ in ModerateStage(client: llmRouter) }
        registry.register(EnqueueStage.self) { _ in EnqueueStage(pool: pool, queue: queue) }
        let pipeline = try PipelineDefinition.load(from: directory.appending(path: "post-request.yaml"), registry: registry)
        return PipelineRunner(pipeline: pipeline, platforms: platforms, recorder: StorePipelineRecorder(pool: pool, blobs: blobs), budget: budget)
    }
}
