import Agents
import Contracts
import Domain
import Foundation
import LLMRouter
import Synchronization

/// What one run of many requests measured.
struct RunTally: Sendable {
    /// Wall time of each whole request (draft, then moderation).
    var requestSeconds: [Double] = []
    /// Wall time of each `LLMRouterClient.send` (`ModelCall.latencySeconds`), by purpose (`draft`, `moderation`).
    var sendSeconds: [String: [Double]] = [:]
    var failures = 0
    var repairs = 0
    var firstError: String?

    var calls: Int { sendSeconds.values.map(\.count).reduce(0, +) }

    mutating func merge(_ other: RunTally) {
        requestSeconds += other.requestSeconds
        sendSeconds.merge(other.sendSeconds, uniquingKeysWith: +)
        failures += other.failures
        repairs += other.repairs
        firstError = firstError ?? other.firstError
    }
}

/// A shared counter handing out request numbers to the workers.
final class Ticket: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}

/// Where the draft's live view goes, as the pipeline runner wires it: every report is handed to an actor in a
/// task of its own, which keeps the latest (the runner's `ProgressReporter` then writes it at most every
/// 500 ms; the bench writes nothing).
actor ProgressSink {
    private(set) var latest = ""
    private(set) var reports = 0

    func offer(_ text: String) {
        latest = text
        reports += 1
    }

    nonisolated var report: @Sendable (String) -> Void {
        { text in Task { await self.offer(text) } }
    }
}

/// One request as the daemon's `draft` and `moderate` stages make it: `LLMContentAgent.draft` (streamed, with
/// the live view wired as the runner wires it), the never-say pass, then `ModerationPrompt` through
/// `callValidatedTool` (buffered).
struct AgentRequest: Sendable {
    let client: LLMRouterClient
    let template: ContentBrief

    /// Runs request `index`; returns the calls it made.
    func run(_ index: Int) async throws -> [ModelCall] {
        var brief = template
        brief.requestID = UUID()
        brief.prompt = (template.prompt ?? "") + " (request \(index))"
        let draft = try await LLMContentAgent(client: client).draft(brief, progress: ProgressSink().report)
        guard draft.variants.count == brief.targets.count else {
            throw BenchFailure("drafted \(draft.variants.count) variants for \(brief.targets.count) accounts")
        }
        let neverSay = NeverSayModerator(neverSay: brief.talent.doNotSay)
        let passed = draft.variants.filter { neverSay.firstHit(in: $0.caption + " " + $0.hashtags.joined(separator: " ")) == nil }
        let prompt = ModerationPrompt(talent: brief.talent, variants: passed.map { ($0, nil) })
        let (verdicts, calls) = try await client.callValidatedTool(
            prompt.request(model: client.configuration.moderationModel),
            purpose: "moderation",
            validate: prompt.validate
        )
        guard verdicts.count == passed.count else { throw BenchFailure("\(verdicts.count) verdicts for \(passed.count) variants") }
        return (draft.modelCalls ?? []) + calls
    }

    /// Runs `requests` requests, `inFlight` at a time.
    func runMany(_ requests: Int, inFlight: Int) async -> RunTally {
        let ticket = Ticket()
        return await withTaskGroup(of: RunTally.self) { group in
            for _ in 0..<inFlight {
                group.addTask {
                    var tally = RunTally()
                    while true {
                        let index = ticket.take()
                        guard index < requests else { break }
                        let started = ContinuousClock.now
                        do {
                            let calls = try await run(index)
                            tally.requestSeconds.append(seconds(ContinuousClock.now - started))
                            for call in calls { tally.sendSeconds[call.purpose, default: []].append(call.latencySeconds) }
                            tally.repairs += calls.filter { $0.purpose.hasSuffix("-repair") }.count
                        } catch {
                            tally.failures += 1
                            tally.firstError = tally.firstError ?? String(describing: error)
                        }
                    }
                    return tally
                }
            }
            var total = RunTally()
            for await tally in group { total.merge(tally) }
            return total
        }
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// The `p`th percentile (nearest rank); NaN for no values.
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
    return sorted[index]
}

func mean(_ values: [Double]) -> Double {
    values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
}
