import Domain
import Agents
public import Blobs
public import Foundation
public import Media
public import Pipeline
public import Store

/// Builds the stage registry and loads `pipelines/` at start-up.
public enum PipelineFactory {
    /// Every stage kind pipeline files may name.
    public static func registry(pool: PostgresPool, queue: JobQueue, mediaWorker: MediaWorkerClient) -> StageRegistry {
        var registry = StageRegistry()
        registry.register(ProbeStage.self) { ProbeStage(configuration: $0, worker: mediaWorker) }
        registry.register(ScenesStage.self) { ScenesStage(configuration: $0, worker: mediaWorker) }
        registry.register(DraftStage.self) { _ in DraftStage(agent: OfflineContentAgent()) }
        registry.register(ModerateStage.self) { _ in ModerateStage() }
        registry.register(EnqueueStage.self) { _ in EnqueueStage(pool: pool, queue: queue) }
        return registry
    }

    /// Loads and validates `post-request.yaml` and `platforms.yaml` from `directory`; throws with file and line.
    public static func loadPostRequestRunner(
        directory: URL, pool: PostgresPool, blobs: any BlobStore, queue: JobQueue, mediaWorker: MediaWorkerClient
    ) throws -> PipelineRunner {
        let platforms = try PlatformPresets.load(from: directory.appending(path: "platforms.yaml"))
        let pipeline = try PipelineDefinition.load(
            from: directory.appending(path: "post-request.yaml"),
            registry: registry(pool: pool, queue: queue, mediaWorker: mediaWorker))
        return PipelineRunner(pipeline: pipeline, platforms: platforms, recorder: StorePipelineRecorder(pool: pool, blobs: blobs))
    }
}
