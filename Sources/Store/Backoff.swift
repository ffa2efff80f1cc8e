/// Exponential backoff with "equal jitter": attempt n waits a random time in [c/2, c], c = min(cap, base·2ⁿ),
/// so waits always grow while two retriers still spread apart.
public struct Backoff: Sendable {
    public let base: Double
    public let cap: Double
    private var attempt = 0

    public init(base: Double, cap: Double) {
        self.base = base
        self.cap = cap
    }

    /// The ceiling of the wait for a given attempt (0-based), before jitter.
    public static func ceiling(attempt: Int, base: Double, cap: Double) -> Double {
        min(cap, base * pow2(min(attempt, 40)))
    }

    /// The next wait in seconds; each call grows the ceiling.
    public mutating func next() -> Double {
        defer { attempt += 1 }
        let ceiling = Self.ceiling(attempt: attempt, base: base, cap: cap)
        return Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
    }

    public mutating func reset() { attempt = 0 }

    private static func pow2(_ n: Int) -> Double { Double(1 << n) }
}
