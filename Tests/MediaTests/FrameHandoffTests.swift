import Foundation
import TestSupport
import Testing

@testable import Media

/// Decoding on one thread and analysing on another: every frame arrives once, in order, and a stop or an
/// error on the analysing side ends the decoding cleanly.
struct FrameHandoffTests {
    struct Stop: Error {}

    func decoder(_ clip: String) throws -> VideoDecoder {
        try VideoDecoder(input: try MediaInput(path: TestEnvironment.testmedia(clip).path, limits: .init()), targetSize: 256)
    }

    @Test func everyFrameArrivesOnceInOrderOnTheSecondThread() throws {
        var indices: [Int] = []
        var onCallingThread = 0
        let caller = Thread.current
        try decoder("cuts-720p.mp4").forEachFrameOnSecondThread(depth: 2) { frame in
            indices.append(frame.index)
            if Thread.current == caller { onCallingThread += 1 }
            #expect(frame.width == 256 && frame.pixels.count >= frame.stride * frame.height)
            return true
        }
        var inline: [Int] = []
        try decoder("cuts-720p.mp4").forEachFrame { frame in
            inline.append(frame.index)
            return true
        }
        #expect(indices == inline)
        #expect(indices == Array(0..<indices.count) && indices.count == 360)
        #expect(onCallingThread == 0)
    }

    @Test func returningFalseStopsEarly() throws {
        var seen = 0
        try decoder("cuts-720p.mp4").forEachFrameOnSecondThread { frame in
            seen += 1
            return frame.index < 9
        }
        #expect(seen == 10)
    }

    @Test func anErrorWhileAnalysingIsRethrownAndDecodingStops() throws {
        var seen = 0
        #expect(throws: Stop.self) {
            try decoder("cuts-1080p.mp4").forEachFrameOnSecondThread { frame in
                seen += 1
                if frame.index == 20 { throw Stop() }
                return true
            }
        }
        #expect(seen == 21)
    }

    @Test func aTruncatedFileEndsTheSameWayOnBothPaths() throws {
        func run(_ pipelined: Bool) -> (frames: Int, failed: Bool) {
            var frames = 0
            do {
                let decoder = try decoder("truncated.mp4")
                if pipelined {
                    try decoder.forEachFrameOnSecondThread { _ in
                        frames += 1
                        return true
                    }
                } else {
                    try decoder.forEachFrame { _ in
                        frames += 1
                        return true
                    }
                }
                return (frames, false)
            } catch {
                return (frames, true)
            }
        }
        let inline = run(false)
        let pipelined = run(true)
        #expect(pipelined.frames == inline.frames && pipelined.failed == inline.failed)
    }
}
