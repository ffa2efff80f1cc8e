import Foundation

/// The command line of `drsocial-bench-agent`.
struct Options {
    /// What one run of the binary does.
    enum Mode {
        /// Serve the fake router and print its URL (a process of its own, so its CPU is not ours).
        case serveFake
        /// Throughput, per-call time and the raw round-trip floors, at each of `inFlight`.
        case throughput
        /// Peak RSS growth while `requests` run with this many in flight (a fresh process per figure).
        case memory(Int)
    }

    var mode = Mode.throughput
    /// The fake router's base URL (`--serve-fake` prints it).
    var router = ""
    var apiKey = "bench-agent-key"
    var requests = 500
    var inFlight = [1, 8]
    /// Draft calls per variant in the CPU breakdown (one at a time; a streamed draft takes the fake ~200 ms).
    var breakdownCalls = 100
    /// Where to write the two request bodies the client sends, for the Python peer.
    var writeRequests: String?
    var json = false

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--serve-fake": mode = .serveFake
            case "--memory": mode = .memory(Int(iterator.next() ?? "") ?? 8)
            case "--router": router = iterator.next() ?? ""
            case "--api-key": apiKey = iterator.next() ?? apiKey
            case "--requests": requests = Int(iterator.next() ?? "") ?? requests
            case "--in-flight": inFlight = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--breakdown-calls": breakdownCalls = max(1, Int(iterator.next() ?? "") ?? breakdownCalls)
            case "--write-requests": writeRequests = iterator.next()
            case "--json": json = true
            default: Self.fail("unknown argument \(argument)")
            }
        }
        if case .serveFake = mode { return }
        if router.isEmpty { Self.fail("--router URL is required (start one with --serve-fake)") }
        if !router.hasPrefix("http://127.0.0.1:") { Self.fail("--router must be a loopback URL (http://127.0.0.1:PORT)") }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("drsocial-bench-agent: \(message)\n".utf8))
        exit(2)
    }
}
