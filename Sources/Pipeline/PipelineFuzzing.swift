import Domain
import Foundation

/// The pipeline YAML loaders' fuzz entry point, shared by `bench/fuzz pipeline-yaml` and the regression
/// test that replays what it found (`PipelineFuzzRegressionTests`).
///
/// The input is read as a pipeline definition (against a registry of stand-in stages with options of every
/// common type, one per scope, one that reads another's output), as `platforms.yaml`, and as a reel
/// template over the shipped presets. Every input must load or throw `PipelineConfigurationError`; a trap
/// or a hang is a bug.
package enum PipelineFuzzing {
    /// Loads `bytes` (UTF-8, invalid sequences replaced) every way the daemon loads YAML.
    package static func loadYAML(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? PipelineDefinition.parse(text: text, file: "fuzz.yaml", registry: registry)
        _ = try? PlatformPresets.parse(text: text, file: "fuzz.yaml")
        if let presets {
            _ = try? ReelTemplates.parse(text: text, file: "fuzz.yaml", platforms: presets)
        }
    }

    // MARK: Stand-in stages

    /// The registry the fuzzed definitions are checked against.
    private static let registry: StageRegistry = {
        var registry = StageRegistry()
        registry.register(ProduceStage.self) { ProduceStage(configuration: $0) }
        registry.register(ConsumeStage.self) { ConsumeStage(configuration: $0) }
        return registry
    }()

    /// Presets parsed from a copy of `pipelines/platforms.yaml`, so reel templates can be checked.
    private static let presets: PlatformPresets? = try? PlatformPresets.parse(
        text: """
            platforms:
              instagram: { caption_limit: 2200, hashtag_limit: 30, aspect: "4:5", max_video_seconds: 90, max_file_bytes: 1073741824, safe_area: { top: 0.10, bottom: 0.20, left: 0.05, right: 0.12 } }
              tiktok: { caption_limit: 2200, hashtag_limit: 8, aspect: "9:16", max_video_seconds: 600, max_file_bytes: 1073741824, safe_area: { top: 0.12, bottom: 0.25, left: 0.05, right: 0.15 } }
              linkedin: { caption_limit: 3000, hashtag_limit: 5, aspect: "1:1", max_video_seconds: 600, max_file_bytes: 5368709120, safe_area: { top: 0.05, bottom: 0.10, left: 0.05, right: 0.05 } }
            """,
        file: "platforms.yaml"
    )

    /// Options of the common types, with a range check, like the real stages' configurations.
    private struct Options: StageConfiguration {
        var threshold = 0.5
        var count = 1
        var label = ""
        var tags: [String] = []
        var enabled = false

        static var options: [StageOption<Options>] {
            [.init("threshold", \.threshold), .init("count", \.count), .init("label", \.label), .init("tags", \.tags), .init("enabled", \.enabled)]
        }

        func validate() throws {
            guard (0...1).contains(threshold) else { throw Self.invalid("threshold must be within 0...1", at: \.threshold) }
            guard count > 0 else { throw Self.invalid("count must be positive", at: \.count) }
        }
    }

    /// What `produce` outputs.
    private struct Produced: StageOutput {
        static let producer = "produce"
        var value: Int
    }

    /// What `consume` outputs.
    private struct Consumed: StageOutput {
        static let producer = "consume"
        var value: Int
    }

    /// A request-scoped stage with options; never run.
    private struct ProduceStage: Stage {
        typealias Configuration = Options
        static let kind = "produce"
        static let scope = StageScope.request
        let configuration: Options
        func run(_ context: StageContext) async throws -> StageResult<Produced> { throw StageFailure("not run when fuzzing") }
    }

    /// An attachment-scoped stage that needs `produce`'s output; never run.
    private struct ConsumeStage: Stage {
        typealias Configuration = NoOptions
        static let kind = "consume"
        static let scope = StageScope.attachment
        static var reads: [StageRead] { [.required(Produced.self)] }
        let configuration: NoOptions
        func run(_ context: StageContext) async throws -> StageResult<Consumed> { throw StageFailure("not run when fuzzing") }
    }
}
