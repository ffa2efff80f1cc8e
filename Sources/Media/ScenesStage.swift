public import Contracts
public import Domain
import Foundation
public import Pipeline

/// `scenes`: finds the cuts and dissolves of each video attachment (libavcodec, in the media worker) and
/// stores the scenes with their times and frames in `analysis_json.scenes`. A file that cannot be decoded
/// fails this stage for that attachment only.
public struct ScenesStage: Stage {
    public struct Configuration: StageConfiguration {
        /// The hard-cut detector: `adaptive` (default) or `content`. Dissolves are always looked for.
        public var detector = "adaptive"
        /// The longer side frames are scaled to before comparing: the width of a landscape frame, the
        /// height of a portrait one (by an integer factor where it can). Default 256 px.
        public var analysisWidth = 256
        /// The least content change (PySceneDetect's content value: the mean HSV change from the previous
        /// frame, 0–255) the adaptive detector cuts on, however much it stands out against still neighbours:
        /// PySceneDetect's `min_content_val`. Default 15.
        public var minimumContent = SceneAnalyzer.defaultMinimumContent
        /// Wall-clock limit on decoding the whole file, inside the worker. Default 300 s.
        public var deadlineSeconds = 300.0
        public var maxDurationSeconds = 900.0
        public var maxDimension = 8192

        public static let options: [StageOption<Self>] = [
            .init("detector", \.detector),
            .init("analysis_width", \.analysisWidth),
            .init("min_content_value", \.minimumContent),
            .init("deadline_seconds", \.deadlineSeconds),
            .init("max_duration_seconds", \.maxDurationSeconds),
            .init("max_dimension", \.maxDimension),
        ]

        public init() {}

        public func validate() throws {
            guard SceneAnalyzer.registry[detector] != nil, detector != "dissolve" else {
                throw Self.invalid("detector must be adaptive or content", at: \.detector)
            }
            guard (32...1920).contains(analysisWidth), deadlineSeconds > 0, maxDurationSeconds > 0, maxDimension > 0 else {
                throw Self.invalid("analysis_width must be 32–1920 and limits positive")
            }
            guard (0...255).contains(minimumContent) else { throw Self.invalid("must be 0–255", at: \.minimumContent) }
        }
    }

    public static let kind = "scenes"
    public static let scope = StageScope.attachment

    let configuration: Configuration
    let worker: MediaWorkerClient

    public init(configuration: Configuration, worker: MediaWorkerClient) {
        self.configuration = configuration
        self.worker = worker
    }

    public func accepts(_ attachment: AttachmentSnapshot) -> Bool { attachment.mime.hasPrefix("video/") }

    public func run(_ context: StageContext) async throws -> StageResult<SceneAnalysis> {
        let file = try context.attachmentAndFile().file
        let options = SceneOptions(
            detector: configuration.detector,
            analysisWidth: configuration.analysisWidth,
            minimumContent: configuration.minimumContent,
            deadlineSeconds: configuration.deadlineSeconds,
            limits: MediaLimits {
                $0.maxDurationSeconds = configuration.maxDurationSeconds
                $0.maxDimension = configuration.maxDimension
            }
        )
        let result = try await worker.scenes(file: file, options: options)
        let cuts = result.transitions.filter { $0.kind == .cut }.count
        let dissolves = result.transitions.count - cuts
        let summary =
            "\(result.scenes.count) scene\(result.scenes.count == 1 ? "" : "s"): \(cuts) cut\(cuts == 1 ? "" : "s"), "
            + "\(dissolves) dissolve\(dissolves == 1 ? "" : "s") in \(result.frameCount) frames"
        return StageResult(summary: summary, output: result)
    }
}

/// What the worker needs to find scenes.
public struct SceneOptions: Sendable, Codable, Equatable {
    public var detector: String
    public var analysisWidth: Int
    /// The least content value of an adaptive cut.
    public var minimumContent = SceneAnalyzer.defaultMinimumContent
    public var deadlineSeconds: Double
    public var limits: MediaLimits

    /// The analyzer these options describe.
    var analyzer: SceneAnalyzer { SceneAnalyzer(cutDetector: detector, analysisWidth: analysisWidth, minimumContent: minimumContent) }

    /// Probes (enforcing the limits), then decodes and detects. Runs inside the worker.
    public func analyze(path: String) throws -> SceneAnalyzer.Result {
        let probe = try MediaProber(limits: limits).probe(path: path)
        guard probe.video != nil else { throw FFmpegError.unsupported("the file has no video stream") }
        return try analyzer.analyze(path: path, limits: limits, deadlineSeconds: deadlineSeconds)
    }
}
