import CFFmpeg
import Foundation

/// A bounded queue of decoded frames between the decoding thread and one analysing thread. Frames travel
/// as new references (`av_frame_clone`: the pixels are shared, not copied); whoever takes a frame frees it.
final class FrameHandoff: @unchecked Sendable {
    struct Item {
        let frame: UnsafeMutablePointer<AVFrame>
        let index: Int
        let seconds: Double
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private let depth: Int
    private var producerDone = false
    private var consumerStopped = false

    init(depth: Int) { self.depth = max(1, depth) }

    /// Queues a reference to `frame`, waiting while the queue is full; false once the consumer has stopped.
    func put(_ frame: UnsafeMutablePointer<AVFrame>, index: Int, seconds: Double) throws -> Bool {
        guard let reference = av_frame_clone(frame) else { throw FFmpegError.unsupported("out of memory") }
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !consumerStopped { condition.wait() }
        if consumerStopped {
            var unused: UnsafeMutablePointer<AVFrame>? = reference
            av_frame_free(&unused)
            return false
        }
        items.append(Item(frame: reference, index: index, seconds: seconds))
        condition.broadcast()
        return true
    }

    /// The next frame, or nil when the producer is done and the queue is empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !producerDone { condition.wait() }
        if items.isEmpty { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// The producer will put nothing more.
    func finishProducing() {
        condition.lock()
        producerDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer takes nothing more: frames still queued are freed and `put` returns false from now on.
    func stopConsuming() {
        condition.lock()
        consumerStopped = true
        let left = items
        items = []
        condition.broadcast()
        condition.unlock()
        for item in left {
            var frame: UnsafeMutablePointer<AVFrame>? = item.frame
            av_frame_free(&frame)
        }
    }
}

/// Carries what the analysing thread uses (the caller's closure, the scaler) across to it, and its error
/// back. The caller of `forEachFrameOnSecondThread` waits until that thread has finished, so nothing is
/// touched by two threads at once. The thread empties the box before it signals, so the caller's
/// non-escaping closure is released by then (`withoutActuallyEscaping` checks that).
private final class AnalysisBox<Body>: @unchecked Sendable {
    var body: Body?
    var scaler: Scaler?
    var error: (any Error)?

    init(body: Body, scaler: Scaler) {
        self.body = body
        self.scaler = scaler
    }
}

extension VideoDecoder {
    /// `forEachFrame`, with scaling and `body` on a second thread while this one reads and decodes the next
    /// frames (up to `depth` frames ahead), so analysis overlaps decoding instead of stalling it. `body` runs
    /// on that thread, in order, one frame at a time; this call returns when it has seen the last frame,
    /// returned false, or thrown (the error is rethrown here).
    func forEachFrameOnSecondThread(depth: Int = 4, _ body: (AnalysisFrame) throws -> Bool) throws {
        try withoutActuallyEscaping(body) { body in
            let handoff = FrameHandoff(depth: depth)
            let box = AnalysisBox(body: body, scaler: Scaler(targetSize: targetSize, output: output))
            let finished = DispatchSemaphore(value: 0)
            let thread = Thread {
                analyse(handoff, box)  // its locals, the closure among them, are gone when it returns
                handoff.stopConsuming()
                box.body = nil
                box.scaler = nil
                finished.signal()
            }
            thread.stackSize = 4 << 20
            thread.start()
            var decodeError: (any Error)?
            do {
                try forEachDecodedFrame { frame, index, seconds in try handoff.put(frame, index: index, seconds: seconds) }
            } catch {
                decodeError = error
            }
            handoff.finishProducing()
            if decodeError != nil { handoff.stopConsuming() }
            finished.wait()
            if let error = box.error { throw error }
            if let decodeError { throw decodeError }
        }
    }
}

/// The analysing thread's loop: scale each frame and hand it to the caller's closure, in order.
private func analyse(_ handoff: FrameHandoff, _ box: AnalysisBox<(AnalysisFrame) throws -> Bool>) {
    guard let work = box.body, let scaler = box.scaler else { return }
    while let item = handoff.take() {
        var frame: UnsafeMutablePointer<AVFrame>? = item.frame
        defer { av_frame_free(&frame) }
        do {
            var keepGoing = true
            try scaler.scale(item.frame) { width, height, stride, pixels in
                keepGoing = try work(
                    AnalysisFrame(
                        index: item.index,
                        seconds: item.seconds,
                        width: width,
                        height: height,
                        stride: stride,
                        pixels: pixels
                    )
                )
            }
            if !keepGoing { return }
        } catch {
            box.error = error
            return
        }
    }
}
