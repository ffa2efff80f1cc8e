import Intake
import TestSupport
import Testing

/// Replays what `bench/fuzz mime` and `bench/fuzz imap-response` found, through the fuzzer's own entry functions:
/// each input must be parsed (or refused) without a trap.
@Suite struct IntakeFuzzRegressionTests {
    @Test func mimeInputsParseOrAreRefused() throws {
        let inputs = try FuzzRegressions.inputs(for: "mime")
        #expect(!inputs.isEmpty)
        for input in inputs { IntakeFuzzing.mime(input.bytes) }
    }

    @Test func imapResponsesAreRead() throws {
        let inputs = try FuzzRegressions.inputs(for: "imap-response")
        #expect(!inputs.isEmpty)
        for input in inputs { IntakeFuzzing.imapResponse(input.bytes) }
    }
}
