public import Blobs
public import Contracts
public import Domain
import Foundation
public import Pipeline

/// `keyframes`: one representative frame per scene (the sharpest of a few candidates near the scene's
/// middle), stored as a full-size JPEG and a thumbnail in the blob store, listed in `analysis_json.keyframes`.
public struct KeyframesStage: Stage {
    public struct Configuration: StageConfiguration {
        /// Frames compared per scene. Default 5.
        public var candidates = 5
        /// Thumbnail width in pixels. Default 320.
        public var thumbnailWidth = 320
        public var deadlineSeconds = 300.0
        public var maxDimension = 8192

        public static let options: [StageOption<Self>] = [
            .init("candidates", \.candidates),
            .init("thumbnail_width", \.thumbnailWidth),
            .init("deadline_seconds", \.deadlineSeconds),
            .init("max_dimension", \.maxDimension),
        ]

        public init() {}

        public func validate() throws {
            guard (1...25).contains(candidates), (64...1920).contains(thumbnailWidth), deadlineSeconds > 0, maxDimension > 0 else {
                throw Self.invalid("candidates must be 1–25, thumbnail_width 64–1920, limits positive")
            }
        }
    }

    public static let kind = "keyframes"
    public static let scope = StageScope.attachment
    public static let reads: [StageRead] = [.required(SceneAnalysis.self)]

    let configuration: Configuration
    let worker: MediaWorkerClient
    let blobs: any BlobStore

    public init(configuration: Configuration, worker: MediaWorkerClient, blobs: any BlobStore) {
        self.configuration = configuration
        self.worker = worker
        self.blobs = blobs
    }

    public func accepts(_ attachment: AttachmentSnapshot) -> Bool { attachment.mime.hasPrefix("video/") }

    public func run(_ context: StageContext) async throws -> StageResult<KeyframeList> {
        let (attachment, file) = try context.attachmentAndFile()
        guard let scenes = try context.output(of: ScenesStage.self, for: attachment) else {
            throw StageFailure("the scenes stage did not succeed for this attachment, so there are no scenes to pick frames from")
        }
        let folder = FileManager.default.temporaryDirectory.appending(path: "drsocial-keyframes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = KeyframeOptions(
            scenes: scenes.scenes,
            candidatesPerScene: configuration.candidates,
            thumbnailWidth: configuration.thumbnailWidth,
            deadlineSeconds: configuration.deadlineSeconds,
            limits: MediaLimits { $0.maxDimension = configuration.maxDimension },
            outputDirectory: folder.path
        )
        let extracted = try await worker.keyframes(file: file, options: options)
        let namespace = BlobNamespace.talent(tenantID: context.request.tenantID, talentID: context.talent.id)
        var keyframes: [KeyframeList.Keyframe] = []
        for frame in extracted {
            guard scenes.scenes.indices.contains(frame.scene) else {
                throw StageFailure("the media worker named scene \(frame.scene) of \(scenes.scenes.count)")
            }
            let scene = scenes.scenes[frame.scene]
            keyframes.append(
                KeyframeList.Keyframe(
                    scene: frame.scene,
                    frame: frame.frame,
                    seconds: frame.seconds,
                    sceneStartSeconds: scene.startSeconds,
                    sceneEndSeconds: scene.endSeconds,
                    sharpness: frame.sharpness,
                    width: frame.width,
                    height: frame.height,
                    image: try await blobs.store(file: URL(filePath: frame.imagePath), in: namespace).path,
                    thumbnail: try await blobs.store(file: URL(filePath: frame.thumbnailPath), in: namespace).path
                )
            )
        }
        let summary =
            "\(keyframes.count) keyframe\(keyframes.count == 1 ? "" : "s") for \(scenes.scenes.count) scene\(scenes.scenes.count == 1 ? "" : "s")"
        return StageResult(summary: summary, output: KeyframeList(keyframes: keyframes))
    }
}
