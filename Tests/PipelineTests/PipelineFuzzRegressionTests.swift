import Pipeline
import TestSupport
import Testing

/// Replays what `bench/fuzz pipeline-yaml` found, through the fuzzer's own entry function: every input loads
/// or is refused with a `PipelineConfigurationError`, never a trap.
@Suite struct PipelineFuzzRegressionTests {
    @Test func yamlInputsLoadOrAreRefused() throws {
        let inputs = try FuzzRegressions.inputs(for: "pipeline-yaml")
        #expect(!inputs.isEmpty)
        for input in inputs { PipelineFuzzing.loadYAML(input.bytes) }
    }
}
