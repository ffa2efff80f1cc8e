import TestSupport
import Testing
import Web

/// Replays what `bench/fuzz multipart` and `bench/fuzz session-token` found, through the fuzzer's own entry
/// functions: the same parts however the body is cut, and a token accepted or refused with `SessionError`.
@Suite struct PortalFuzzRegressionTests {
    @Test func multipartBodiesParseTheSameInAnyChunks() throws {
        let inputs = try FuzzRegressions.inputs(for: "multipart")
        #expect(!inputs.isEmpty)
        for input in inputs { PortalFuzzing.multipart(input.bytes) }
    }

    @Test func sessionTokensAreAcceptedOrRefused() async throws {
        let inputs = try FuzzRegressions.inputs(for: "session-token")
        #expect(!inputs.isEmpty)
        for input in inputs { await PortalFuzzing.sessionToken(input.bytes) }
    }
}
