// drsocial-bench-agent: drafting and moderation through the LLM router client, against the fake router
// (Tests/LLMRouterFake) answering at once, so every millisecond measured is the client's or the loopback's.
//   --serve-fake                 start the fake router on 127.0.0.1, print its URL, serve until killed
//   --router URL [--in-flight 1,8] [--requests 500] [--write-requests FILE]
//                                requests/s through draft + moderation at each in-flight count; each call's
//                                wall time beside a raw AsyncHTTPClient POST of the same bytes; CPU per call
//                                [--breakdown-calls 100]: where a streamed draft call's CPU goes
//   --router URL --memory K      peak RSS growth while the requests run K at a time (one fresh process each)
// Prints a table, or JSON with --json. Run through bench/agent, which also runs the Python peer.
import Agents
import AsyncHTTPClient
import Domain
import Foundation
import LLMRouter
import LLMRouterFake
import Logging
import NIOCore

let options = Options(CommandLine.arguments)
LoggingSystem.bootstrap(StreamLogHandler.standardError)
let logger = {
    var logger = Logger(label: "drsocial.llm")
    logger.logLevel = .warning
    return logger
}()

/// Prints the figures as JSON, or one per line.
func report(_ results: [String: Double]) throws {
    if options.json {
        let clean = results.mapValues { $0.isFinite ? $0 : -1 }
        print(String(decoding: try JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys]), as: UTF8.self))
    } else {
        for key in results.keys.sorted() { print(key.padding(toLength: 32, withPad: " ", startingAt: 0), String(format: "%12.3f", results[key]!)) }
    }
}

/// Fails at once when the fake router does not answer `GET /health` (rather than after the 120 s deadline).
func checkRouter(_ client: LLMRouterClient) async throws {
    do { try await client.health() } catch { throw BenchFailure("the router at \(options.router) does not answer: \(error)") }
}

/// The daemon's client with the daemon's defaults (120 s deadline, 4 attempts) and the shared `HTTPClient`.
func makeClient(_ baseURL: String) -> LLMRouterClient {
    LLMRouterClient(configuration: LLMRouterConfiguration(baseURL: baseURL, apiKey: options.apiKey), logger: logger)
}

do {
    switch options.mode {
    case .serveFake:
        let fake = try await FakeLLMRouter.start(apiKey: options.apiKey)
        fake.setDefault(CompliantModel.reply)
        FileHandle.standardOutput.write(Data((fake.baseURL + "\n").utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }

    case .throughput:
        let template = try await BenchBrief.make()
        // The exact bytes the client sends, from one request to a private in-process fake: the raw floor
        // re-sends them, and the Python peer sends the same model, system, tools and messages.
        let capture = try await FakeLLMRouter.start(apiKey: options.apiKey)
        capture.setDefault(CompliantModel.reply)
        _ = try await AgentRequest(client: makeClient(capture.baseURL), template: template).run(0)
        let bodies = capture.requests.filter { $0.method == "POST" }.map(\.body)
        await capture.stop()
        guard bodies.count == 2 else { throw BenchFailure("expected a draft and a moderation call, captured \(bodies.count)") }
        if let path = options.writeRequests {
            let document = ["draft": String(decoding: bodies[0], as: UTF8.self), "moderation": String(decoding: bodies[1], as: UTF8.self)]
            try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]).write(to: URL(filePath: path))
        }

        let agent = AgentRequest(client: makeClient(options.router), template: template)
        try await checkRouter(agent.client)
        let raw = RawRoundTrip(baseURL: options.router, apiKey: options.apiKey, bodies: bodies.map { ByteBuffer(bytes: $0) })
        var results: [String: Double] = [
            "requests": Double(options.requests),
            "draft_request_bytes": Double(bodies[0].count),
            "moderation_request_bytes": Double(bodies[1].count),
        ]
        // Warm-up: connections open, code paths and caches touched.
        _ = await agent.runMany(20, inFlight: 1)
        _ = await raw.run(calls: 40, inFlight: 1)
        let health = await raw.health(calls: 200)
        results["health_p50_ms"] = percentile(health, 50) * 1000

        for k in options.inFlight {
            let cpuBefore = ProcessStats.cpuSeconds()
            let started = ContinuousClock.now
            let tally = await agent.runMany(options.requests, inFlight: k)
            let wall = seconds(ContinuousClock.now - started)
            let cpu = ProcessStats.cpuSeconds() - cpuBefore
            if let error = tally.firstError { FileHandle.standardError.write(Data("k=\(k): \(tally.failures) failed, first: \(error)\n".utf8)) }

            let rawCPUBefore = ProcessStats.cpuSeconds()
            let (rawSeconds, rawFailures) = await raw.run(calls: 2 * options.requests, inFlight: k)
            let rawCPU = ProcessStats.cpuSeconds() - rawCPUBefore

            let prefix = "k\(k)_"
            let done = Double(tally.requestSeconds.count)
            results[prefix + "requests_per_second"] = done / wall
            results[prefix + "failures"] = Double(tally.failures)
            results[prefix + "repairs"] = Double(tally.repairs)
            results[prefix + "raw_failures"] = Double(rawFailures)
            results[prefix + "request_p50_ms"] = percentile(tally.requestSeconds, 50) * 1000
            // Per purpose: `send` beside the raw round trip of the same bytes; the difference is the client's own time.
            for (body, purpose) in ["draft", "moderation"].enumerated() {
                let sent = tally.sendSeconds[purpose] ?? []
                let floor = rawSeconds[body]
                let name = prefix + purpose + "_"
                results[name + "send_p50_ms"] = percentile(sent, 50) * 1000
                results[name + "send_p95_ms"] = percentile(sent, 95) * 1000
                results[name + "raw_p50_ms"] = percentile(floor, 50) * 1000
                results[name + "raw_p95_ms"] = percentile(floor, 95) * 1000
                results[name + "beyond_raw_p50_ms"] = (percentile(sent, 50) - percentile(floor, 50)) * 1000
                results[name + "beyond_raw_mean_ms"] = (mean(sent) - mean(floor)) * 1000
            }
            // The whole request (prompts, validation, the never-say pass, both calls) beyond its two raw round trips.
            results[prefix + "request_beyond_raw_p50_ms"] =
                (percentile(tally.requestSeconds, 50) - percentile(rawSeconds[0], 50) - percentile(rawSeconds[1], 50)) * 1000
            // CPU of this process (the fake runs in another): everything the daemon's side spends per request, and
            // what the raw POSTs of the same two bodies spend.
            results[prefix + "cpu_per_request_ms"] = done > 0 ? cpu / done * 1000 : .nan
            let rawPairs = Double(rawSeconds.map(\.count).min() ?? 0)
            results[prefix + "raw_cpu_per_request_ms"] = rawPairs > 0 ? rawCPU / rawPairs * 1000 : .nan
        }
        // Where a streamed draft call's CPU goes, one call at a time: the agent as the daemon runs it; the same call
        // streamed without the live view; buffered; and the raw POSTs of the streamed and the buffered bytes.
        let calls = options.breakdownCalls
        let draftRequest = DraftPrompt(brief: template).request(model: agent.client.configuration.contentModel)
        let validator = DraftValidator(targets: template.targets, presets: template.presets, neverSay: template.talent.doNotSay)
        let bufferedBody = ByteBuffer(string: String(decoding: bodies[0], as: UTF8.self).replacingOccurrences(of: #""stream":true,"#, with: ""))
        func cpuPerCall(_ call: () async throws -> Void) async throws -> Double {
            let before = ProcessStats.cpuSeconds()
            for _ in 0..<calls { try await call() }
            return (ProcessStats.cpuSeconds() - before) / Double(calls) * 1000
        }
        results["draft_cpu_agent_ms"] = try await cpuPerCall { _ = try await LLMContentAgent(client: agent.client).draft(template, progress: ProgressSink().report) }
        results["draft_cpu_streamed_no_view_ms"] = try await cpuPerCall {
            _ = try await agent.client.callValidatedTool(draftRequest, purpose: "draft", onDelta: { _ in }, validate: validator.validate)
        }
        results["draft_cpu_buffered_ms"] = try await cpuPerCall {
            _ = try await agent.client.callValidatedTool(draftRequest, purpose: "draft", validate: validator.validate)
        }
        results["draft_cpu_raw_streamed_ms"] = try await cpuPerCall { _ = await raw.post(raw.bodies[0]) }
        results["draft_cpu_raw_buffered_ms"] = try await cpuPerCall { _ = await raw.post(bufferedBody) }
        results["breakdown_calls"] = Double(calls)
        try report(results)

    case .memory(let k):
        let template = try await BenchBrief.make()
        let agent = AgentRequest(client: makeClient(options.router), template: template)
        try await checkRouter(agent.client)
        _ = await agent.runMany(20, inFlight: 1)
        ProcessStats.trimHeap()
        try await Task.sleep(for: .milliseconds(200))
        let before = ProcessStats.memory().rssKiB
        let reset = ProcessStats.resetPeak()
        let sampler = RSSSampler()
        let started = ContinuousClock.now
        let tally = await agent.runMany(options.requests, inFlight: k)
        let wall = seconds(ContinuousClock.now - started)
        let sampled = sampler.stop()
        let now = ProcessStats.memory()
        let peak = max(sampled, reset ? now.peakKiB : 0)
        if let error = tally.firstError { FileHandle.standardError.write(Data("k=\(k): \(tally.failures) failed, first: \(error)\n".utf8)) }
        try report([
            "in_flight": Double(k),
            "requests": Double(options.requests),
            "failures": Double(tally.failures),
            "requests_per_second": Double(tally.requestSeconds.count) / wall,
            "rss_before_kib": Double(before),
            "rss_peak_kib": Double(peak),
            "rss_after_kib": Double(now.rssKiB),
            "growth_kib": Double(peak - before),
            "growth_per_in_flight_kib": Double(peak - before) / Double(k),
            "peak_reset": reset ? 1 : 0,
        ])
    }
} catch {
    Options.fail(String(describing: error))
}
