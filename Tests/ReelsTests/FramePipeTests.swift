import Foundation
import Media
import Testing

@testable import Reels

/// The pipe between the drawing thread and the encoding thread: every frame arrives, in order, and encoded
/// pictures come back to the drawing side to be drawn into, instead of being copied on write.
struct FramePipeTests {
    /// The address of a picture's luma storage.
    static func address(_ picture: YUVPicture) -> UnsafeRawPointer? {
        picture.luma.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func everyFrameArrivesInOrder() throws {
        var seen: [UInt8] = []
        try FramePipe.run(capacity: 3) { push in
            var picture = YUVPicture(width: 16, height: 16)
            for index in 0..<200 {
                // Draw every pixel, as the composer does: a recycled picture holds stale pixels.
                for at in picture.luma.indices { picture.luma[at] = UInt8(index % 256) }
                try push(&picture)
            }
        } consume: { picture in
            #expect(Set(picture.luma).count == 1, "a picture was changed while queued")
            seen.append(picture.luma[0])
        }
        #expect(seen == (0..<200).map { UInt8($0 % 256) })
    }

    @Test func encodedPicturesComeBackToBeDrawnInto() throws {
        let frames = 60
        var unique = 0
        try FramePipe.run(capacity: 4) { push in
            var picture = YUVPicture(width: 64, height: 64)
            for index in 0..<frames {
                picture.luma[0] = UInt8(index)
                try push(&picture)
                // Writing into a picture the queue still shares would copy it (a new address).
                let before = Self.address(picture)
                picture.luma[1] = 1
                if Self.address(picture) == before { unique += 1 }
            }
        } consume: { _ in
            Thread.sleep(forTimeInterval: 0.002)  // the encoder is the slow side: the drawing thread runs ahead
        }
        // Only the first few pushes, before anything has been encoded, can find no spare.
        #expect(unique >= frames - 8, "\(unique) of \(frames) pushes left a picture of its own")
    }

    @Test func anErrorOnEitherSideStopsBoth() {
        struct Drawn: Error {}
        struct Encoded: Error {}
        #expect(throws: Drawn.self) {
            try FramePipe.run { push in
                var picture = YUVPicture(width: 8, height: 8)
                try push(&picture)
                throw Drawn()
            } consume: { _ in
            }
        }
        #expect(throws: Encoded.self) {
            try FramePipe.run { push in
                var picture = YUVPicture(width: 8, height: 8)
                while true { try push(&picture) }
            } consume: { _ in
                throw Encoded()
            }
        }
    }
}
