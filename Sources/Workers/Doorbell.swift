import NIOConcurrencyHelpers

/// Wakes idle workers: `ring()` on a NOTIFY, `wait(upTo:)` returns on a ring or when the poll interval passes.
final class Doorbell: Sendable {
    private struct State {
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var expired: Set<UInt64> = []
        var nextID: UInt64 = 0
        var rangWhileNobodyWaited = false
    }

    private let state = NIOLockedValueBox(State())

    /// Wakes every waiting worker; if none waits, the next `wait` returns at once.
    func ring() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            if state.waiters.isEmpty { state.rangWhileNobodyWaited = true }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Waits for a ring, at most `timeout`.
    func wait(upTo timeout: Duration) async {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.expire(id)
        }
        defer { timer.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLockedValue { state -> Bool in
                if state.rangWhileNobodyWaited || state.expired.remove(id) != nil {
                    state.rangWhileNobodyWaited = false
                    return true
                }
                state.waiters[id] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func expire(_ id: UInt64) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            state.expired.insert(id)
            return nil
        }
        waiter?.resume()
    }
}
