extension HostileMail {
    /// SplitMix64: a small seeded generator, the same numbers for the same seed on every machine and Swift
    /// version (the standard library's generator is neither seedable nor stable).
    public struct Generator: RandomNumberGenerator, Sendable {
        private var state: UInt64

        public init(seed: UInt64) { state = seed }

        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }

        /// A number in `range`, drawn only from `next()` (unlike `Int.random(in:using:)`, whose algorithm may change).
        public mutating func int(_ range: Range<Int>) -> Int {
            precondition(!range.isEmpty, "empty range")
            return range.lowerBound + Int(next() % UInt64(range.count))
        }

        public mutating func int(_ range: ClosedRange<Int>) -> Int { int(range.lowerBound..<(range.upperBound + 1)) }

        public mutating func bool() -> Bool { next() & 1 == 1 }
    }
}
