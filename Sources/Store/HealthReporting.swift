/// A dependency `/healthz` reports on besides the database (the LLM router). Its state is shown, not
/// judged: a router that is down delays drafting, it does not make the daemon unhealthy.
public protocol HealthReporting: Sendable {
    /// The key in `/healthz`'s JSON (`llm_router`).
    var name: String { get }
    /// `ok`, or why not (`unreachable: …`).
    func status() async -> String
}
