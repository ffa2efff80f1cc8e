import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The floor under a call: the same bytes the client sends, POSTed with AsyncHTTPClient (the client's own
/// HTTP stack, the same shared `HTTPClient`, the same headers) to the same fake, with the answer read to its
/// end but not parsed (a streamed answer arrives at the fake's pace, 2 ms between events, as it does for
/// `send`). `send` minus this is the router client's own time: building the body, the deadline
/// task group, retries' bookkeeping, parsing the answer, metrics.
struct RawRoundTrip: Sendable {
    let baseURL: String
    let apiKey: String
    /// The request bodies, used in turn (a draft's, then a moderation's).
    let bodies: [ByteBuffer]

    /// POSTs `calls` bodies, `inFlight` at a time; returns each call's wall time, by body.
    func run(calls: Int, inFlight: Int) async -> (seconds: [[Double]], failures: Int) {
        let ticket = Ticket()
        return await withTaskGroup(of: ([[Double]], Int).self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var times = Array(repeating: [Double](), count: bodies.count)
                    var failures = 0
                    while true {
                        let index = ticket.take()
                        guard index < calls else { break }
                        let started = ContinuousClock.now
                        if await post(bodies[index % bodies.count]) {
                            times[index % bodies.count].append(seconds(ContinuousClock.now - started))
                        } else {
                            failures += 1
                        }
                    }
                    return (times, failures)
                }
            }
            var all = (Array(repeating: [Double](), count: bodies.count), 0)
            for await (times, failures) in group {
                for body in times.indices { all.0[body] += times[body] }
                all.1 += failures
            }
            return all
        }
    }

    func post(_ body: ByteBuffer) async -> Bool {
        var request = HTTPClientRequest(url: baseURL + "/v1/messages")
        request.method = .POST
        request.headers.add(name: "anthropic-version", value: "2023-06-01")
        let streamed = body.readableBytesView.firstRange(of: Array(#""stream":true"#.utf8)) != nil
        request.headers.add(name: "Accept", value: streamed ? "text/event-stream" : "application/json")
        request.headers.add(name: "x-api-key", value: apiKey)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let answer = try await response.body.collect(upTo: 8 << 20)
            return response.status == .ok && answer.readableBytes > 0
        } catch {
            return false
        }
    }

    /// `GET /health` (a 15-byte answer): the HTTP round trip with next to nothing in it.
    func health(calls: Int) async -> [Double] {
        var times: [Double] = []
        for _ in 0..<calls {
            let started = ContinuousClock.now
            do {
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/health"), timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 16)
                times.append(seconds(ContinuousClock.now - started))
            } catch {}
        }
        return times
    }
}
