import Testing
import TestSupport

/// Runs a suite against one moto server of its own, started before its first test and killed after its last.
struct MotoServerTrait: SuiteTrait, TestScoping {
    let authenticated: Bool
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try await MotoServer.start(authenticated: authenticated)
        defer { server.stop() }
        try await MotoServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == MotoServerTrait {
    /// A moto server for the suite; `authenticated` makes it check every request's signature.
    static func motoServer(authenticated: Bool) -> Self { MotoServerTrait(authenticated: authenticated) }
}
