import Foundation

/// Composition's own threads: the encoders and drawing loops run outside Dispatch's pool, with a stack of the
/// size libx264 and libass are known to need.
enum ReelThreads {
    /// Starts `body` on a new thread and returns at once.
    static func start(stackSize: Int = 8 << 20, _ body: @escaping () -> Void) {
        let work = UncheckedSendable(body)
        let thread = Thread { work.value() }
        thread.stackSize = stackSize
        thread.start()
    }

    /// Runs each of `bodies` on a thread of its own and returns once every one has returned.
    static func runEach(stackSize: Int = 8 << 20, _ bodies: [() -> Void]) {
        let done = DispatchGroup()
        for body in bodies {
            done.enter()
            start(stackSize: stackSize) {
                body()
                done.leave()
            }
        }
        done.wait()
    }
}
