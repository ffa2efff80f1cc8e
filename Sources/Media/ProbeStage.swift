public import Contracts
import Foundation
public import Pipeline

/// `probe`: reads container, duration, streams, codecs and dimensions of each attachment into its
/// `analysis_json.probe`, in the media worker. A corrupt, hostile or unsupported file fails this stage for
/// that attachment only, with the library's message.
public struct ProbeStage: Stage {
    public struct Configuration: StageConfiguration {
        /// Longest accepted duration. Default 900 s.
        public var maxDurationSeconds: Double = 900
        /// Largest accepted width or height. Default 8192 px.
        public var maxDimension: Int = 8192
        /// Wall-clock limit on opening and probing. Default 20 s.
        public var deadlineSeconds: Double = 20

        public static let options: [StageOption<Self>] = [
            .init("max_duration_seconds", \.maxDurationSeconds),
            .init("max_dimension", \.maxDimension),
            .init("deadline_seconds", \.deadlineSeconds),
        ]

        public init() {}

        public func validate() throws {
            guard maxDurationSeconds > 0, maxDimension > 0, deadlineSeconds > 0 else { throw Self.invalid("limits must be positive") }
        }

        var limits: MediaLimits {
            MediaLimits {
                $0.maxDurationSeconds = maxDurationSeconds
                $0.maxDimension = maxDimension
                $0.deadlineSeconds = deadlineSeconds
            }
        }
    }

    public static let kind = "probe"
    public static let scope = StageScope.attachment

    let configuration: Configuration
    let worker: MediaWorkerClient

    public init(configuration: Configuration, worker: MediaWorkerClient) {
        self.configuration = configuration
        self.worker = worker
    }

    public func run(_ context: StageContext) async throws -> StageResult<ProbeResult> {
        let file = try context.attachmentAndFile().file
        let result = try await worker.probe(file: file, limits: configuration.limits)
        var summary = "\(result.kind), \(result.container)"
        if let video = result.video, let width = video.width, let height = video.height {
            summary += ", \(video.codec) \(width)×\(height)"
        }
        if let audio = result.audio { summary += ", \(audio.codec) audio" }
        if let duration = result.durationSeconds { summary += String(format: ", %.2f s", duration) }
        return StageResult(summary: summary, output: result)
    }
}
