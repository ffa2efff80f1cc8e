import Foundation

/// Answers that several threads fill in, one slot each, read once every thread is done.
final class LockedSlots<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value?]

    init(count: Int) {
        values = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Value) {
        lock.withLock { values[index] = value }
    }

    /// Every slot, nil where no thread wrote one.
    func all() -> [Value?] {
        lock.withLock { values }
    }
}
