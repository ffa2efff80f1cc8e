import Foundation
import Media

extension FramePipe {
    /// Runs `produce` on a new thread and each of `consumers` on a thread of its own: the pictures `produce`
    /// pushes to output `k` reach `consumers[k]` in order, through a short queue of their own, so one drawing
    /// thread feeds several encoders at once (one decode of a video serving every reel cut from it).
    ///
    /// Outputs fail apart: once `consumers[k]` throws, `push(k, …)` returns false and the producer should stop
    /// drawing for it, while the others go on. An error from `produce` ends every output still open.
    /// Returns each output's error (its consumer's, or the producer's), nil for an output that took every
    /// picture pushed to it.
    static func fanOut(
        capacity: Int = 4,
        outputs: Int,
        produce: @escaping (_ push: (Int, inout YUVPicture) -> Bool) throws -> Void,
        consumers: [(YUVPicture) throws -> Void]
    ) -> [(any Error)?] {
        precondition(consumers.count == outputs, "one consumer per output")
        let pipes = (0..<outputs).map { _ in FramePipe(capacity: capacity) }
        ReelThreads.start(stackSize: 4 << 20) {
            do {
                try produce { index, picture in
                    do {
                        try pipes[index].put(&picture)
                        return true
                    } catch {
                        return false
                    }
                }
                for pipe in pipes { pipe.finish(nil) }
            } catch {
                for pipe in pipes { pipe.finish(error) }
            }
        }
        ReelThreads.runEach(
            consumers.enumerated().map { index, consume in
                {
                    do {
                        while let picture = try pipes[index].take() {
                            try consume(picture)
                            pipes[index].recycle(picture)
                        }
                    } catch {
                        pipes[index].cancel(because: error)
                    }
                }
            }
        )
        // The producer may still be drawing for no one after the last consumer failed: wait for it, as it uses the pipes.
        for pipe in pipes { pipe.waitUntilFinished() }
        return pipes.map(\.stoppedBecause)
    }
}
