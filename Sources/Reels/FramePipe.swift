import Foundation
import Media

/// Renders frames on a thread of its own while the calling thread encodes them, through a short queue.
///
/// libx264 keeps both cores busy only when the next picture is ready the moment it asks for one; drawing
/// frames on the encoding thread left it waiting (bench/reel: 1.75 of 2 cores in use; 1.95 with the pipe).
///
/// Pictures travel both ways: once encoded, a picture goes back to the drawing side, which draws the next
/// frame into it. Without that, every frame allocated 3 MB afresh (page faults, zeroing) and copied the
/// previous frame into it (copy-on-write of the picture still queued), for pixels about to be overwritten.
final class FramePipe: @unchecked Sendable {
    private let condition = NSCondition()
    private var frames: [YUVPicture] = []
    private var spare: [YUVPicture] = []
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private var cancelReason: (any Error)?
    private let capacity: Int

    init(capacity: Int = 4) {
        self.capacity = capacity
    }

    /// Runs `produce` on a new thread; each picture it pushes is handed to `consume` on this thread, in order.
    /// `push` takes the picture and leaves in its place a spare one whose pixels are stale: the producer
    /// must overwrite every pixel of it before pushing it (or replace it). An error on either side stops
    /// both and is rethrown here.
    static func run(
        capacity: Int = 4,
        produce: @escaping (_ push: (inout YUVPicture) throws -> Void) throws -> Void,
        consume: (YUVPicture) throws -> Void
    ) throws {
        let pipe = FramePipe(capacity: capacity)
        ReelThreads.start(stackSize: 4 << 20) {
            do {
                try produce { try pipe.put(&$0) }
                pipe.finish(nil)
            } catch {
                pipe.finish(error)
            }
        }
        do {
            while let frame = try pipe.take() {
                try consume(frame)
                pipe.recycle(frame)
            }
        } catch {
            pipe.cancel()
            pipe.waitUntilFinished()
            throw error
        }
    }

    func put(_ frame: inout YUVPicture) throws {
        condition.lock()
        defer { condition.unlock() }
        while frames.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw CancellationError() }
        frames.append(frame)
        // Hand back a spare of the same size; without one, the producer keeps a shared copy (copy on write).
        if let index = spare.lastIndex(where: { $0.width == frame.width && $0.height == frame.height }) {
            frame = spare.remove(at: index)
        }
        condition.broadcast()
    }

    func take() throws -> YUVPicture? {
        condition.lock()
        defer { condition.unlock() }
        while frames.isEmpty && !finished { condition.wait() }
        if !frames.isEmpty {
            let frame = frames.removeFirst()
            condition.broadcast()
            return frame
        }
        if let failure { throw failure }
        return nil
    }

    /// Keeps an encoded picture for the producer to draw into. Only the last `capacity` are kept.
    func recycle(_ frame: consuming YUVPicture) {
        condition.lock()
        if spare.count < capacity { spare.append(frame) }
        condition.unlock()
    }

    func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the producer's pushes; `reason` is why the consumer stopped (kept for `fanOut`'s answer).
    func cancel(because reason: (any Error)? = nil) {
        condition.lock()
        cancelled = true
        if cancelReason == nil { cancelReason = reason }
        condition.broadcast()
        condition.unlock()
    }

    /// Why the consumer stopped early, if it did.
    var stoppedBecause: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return cancelReason
    }

    func waitUntilFinished() {
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }
}

/// Hands a value to another thread when the code guarantees only one thread uses it at a time.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
