import Dispatch
import Domain
import Intake
import Pipeline
import Web

/// The parsers `bench/fuzz` can fuzz, each with the entry function the regression tests replay.
enum FuzzTarget: String, CaseIterable, Sendable {
    case multipart
    case mime
    case imapResponse = "imap-response"
    case pipelineYAML = "pipeline-yaml"
    case sessionToken = "session-token"
    case mediaSniff = "media-sniff"

    /// Runs one input through the target's entry function; returns when it is done.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .multipart: PortalFuzzing.multipart(bytes)
        case .mime: IntakeFuzzing.mime(bytes)
        case .imapResponse: IntakeFuzzing.imapResponse(bytes)
        case .pipelineYAML: PipelineFuzzing.loadYAML(bytes)
        case .sessionToken: Self.blocking { await PortalFuzzing.sessionToken(bytes) }
        case .mediaSniff: DomainFuzzing.sniff(bytes)
        }
    }

    /// Waits on this thread (libFuzzer's, never the cooperative pool's) for async work.
    private static func blocking(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await work()
            done.signal()
        }
        done.wait()
    }
}
