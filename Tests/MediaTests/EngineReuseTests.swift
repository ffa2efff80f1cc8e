import Foundation
import Testing

@testable import Isolation

/// Warm children keep their engines: a task goes to a child that served its verb before, and an engine is
/// lent to one task at a time and kept only after work that succeeded.
struct EngineReuseTests {
    final class Engine {}
    struct Broke: Error {}

    @Test func aTaskGoesToTheLatestIdleChildThatServedItsVerb() {
        let idle: [Set<String>] = [["probe"], ["transcribe", "probe"], ["ocr"]]
        #expect(ChildPool.choice(for: "transcribe", among: idle) == 1)
        #expect(ChildPool.choice(for: "probe", among: idle) == 1)
        #expect(ChildPool.choice(for: "ocr", among: idle) == 2)
        #expect(ChildPool.choice(for: "compose", among: idle) == 2, "no child served it: the latest given back")
        #expect(ChildPool.choice(for: "probe", among: []) == nil)
    }

    @Test func anEngineIsKeptAfterWorkThatSucceededAndDroppedAfterAFailure() throws {
        let made = LockedCounter()
        let engines = ReusedEngines {
            made.increment()
            return Engine()
        }
        let first = try engines.use { $0 }
        #expect(try engines.use { $0 } === first, "the same engine serves the next task")
        #expect(throws: Broke.self) { try engines.use { _ in throw Broke() } }
        #expect(engines.idleCount == 0, "an engine that failed midway is not kept")
        #expect(try engines.use { $0 } !== first && made.value == 2)
        // Two users at once get two engines; one is kept.
        try engines.use { outer in try engines.use { inner in #expect(outer !== inner) } }
        #expect(engines.idleCount == 1)
    }
}

/// A counter the engine factory can bump from any thread.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
