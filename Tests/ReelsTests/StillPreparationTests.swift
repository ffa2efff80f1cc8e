import Foundation
import Media
import Pipeline
import TestSupport
import Testing

@testable import Reels

/// A still is cover-cropped around its centre and scaled to the template's working size in one pass from
/// the decoder's pixels; full-range JPEG levels become the limited range the encoder is told it gets.
struct StillPreparationTests {
    /// A 1920×1080 picture, black but for a white vertical bar in its middle, as `format` (jpg or png).
    static func barStill(_ format: String) throws -> URL {
        let file = try TestEnvironment.temporaryDirectory("still").appending(path: "bar.\(format)")
        _ = try ReelFixtures.run(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=1920x1080",
                "-vf", "drawbox=x=860:y=0:w=200:h=1080:c=white:t=fill",
                "-frames:v", "1", "-q:v", "1", file.path,
            ]
        )
        return file
    }

    @Test(arguments: ["jpg", "png"])
    func aWideStillIsCroppedAroundItsCentreInLimitedRange(format: String) throws {
        let template = try #require(ReelFixtures.templates["tiktok"])
        let still = try PreparedStill.load(try Self.barStill(format), index: 0, template: template, limits: MediaLimits())
        let picture = still.picture
        #expect(picture.width == still.motion.workingWidth && picture.height == still.motion.workingHeight)
        // 9:16 of a 1920×1080 picture is its middle 607 columns (656…1263); the bar (860…1060) lies at
        // 34 %…66 % of them.
        let row = picture.height / 2
        func luma(_ share: Double) -> Int { Int(picture.luma[row * picture.width + Int(share * Double(picture.width))]) }
        for share in [0.40, 0.50, 0.60] { #expect(abs(luma(share) - 235) <= 3, "white at \(share) reads \(luma(share))") }
        for share in [0.02, 0.20, 0.80, 0.98] { #expect(abs(luma(share) - 16) <= 3, "black at \(share) reads \(luma(share))") }
        // The bar's edges land where the centred crop puts them.
        let columns = (0..<picture.width).filter { picture.luma[row * picture.width + $0] > 125 }
        let left = Double(columns.first ?? 0) / Double(picture.width)
        let right = Double(columns.last ?? 0) / Double(picture.width)
        #expect(abs(left - 204.0 / 607) < 0.01 && abs(right - 404.0 / 607) < 0.01, "bar spans \(left)…\(right)")
        #expect(picture.blue.allSatisfy { abs(Int($0) - 128) <= 3 } && picture.red.allSatisfy { abs(Int($0) - 128) <= 3 })
    }

    @Test func coverCropKeepsTheCentreAtTheTargetAspect() {
        let wide = PreparedStill.coverCrop(width: 1920, height: 1080, aspect: 9.0 / 16)
        #expect(wide == PixelRect(x: 656, y: 0, width: 607, height: 1080))
        let tall = PreparedStill.coverCrop(width: 1000, height: 3000, aspect: 1)
        #expect(tall == PixelRect(x: 0, y: 1000, width: 1000, height: 1000))
    }

    /// `jpeg` with an EXIF block saying Orientation = `orientation` inserted after its start marker.
    static func withOrientation(_ jpeg: Data, _ orientation: UInt16) -> Data {
        // A big-endian TIFF header and one IFD with a single entry: tag 0x0112 (Orientation), SHORT, 1 value.
        var tiff: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1]
        tiff += [UInt8(orientation >> 8), UInt8(orientation & 0xFF), 0, 0, 0, 0, 0, 0]
        let body = Array("Exif".utf8) + [0, 0] + tiff
        let length = body.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + body
        return jpeg.prefix(2) + Data(segment) + jpeg.dropFirst(2)
    }

    // A phone photo held upright is often stored sideways with an EXIF orientation: the reel must show it
    // upright. Orientation 6 means "turn 90° clockwise to show".
    @Test func anExifOrientationIsApplied() throws {
        let folder = try TestEnvironment.temporaryDirectory("still")
        let stored = folder.appending(path: "stored.jpg")
        // 640×480 as stored, black with a white box near the top-left corner.
        _ = try ReelFixtures.run(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=640x480",
                "-vf", "drawbox=x=20:y=20:w=120:h=80:c=white:t=fill", "-frames:v", "1", "-q:v", "1", stored.path,
            ]
        )
        let turned = folder.appending(path: "turned.jpg")
        try Self.withOrientation(try Data(contentsOf: stored), 6).write(to: turned)
        // OCR and keyframes read it upright too.
        let analysed = try FrameGrabber.firstPicture(path: turned.path, limits: MediaLimits())
        #expect(analysed.width == 480 && analysed.height == 640, "analysis picture \(analysed.width)×\(analysed.height)")
        #expect(analysed.pixels[(60 * 480 + 420) * 3] > 200 && analysed.pixels[(60 * 480 + 60) * 3] < 50)
        let template = try #require(ReelFixtures.templates["tiktok"])
        let picture = try PreparedStill.load(turned, index: 0, template: template, limits: MediaLimits()).picture
        // Shown upright the photo is 480×640 with the box at its top right (x 379…459, y 20…140); the 9:16
        // cover crop keeps x 60…420, so the box's visible part sits in the crop's top-right corner.
        var sumX = 0
        var sumY = 0
        var count = 0
        for y in 0..<picture.height {
            for x in 0..<picture.width where picture.luma[y * picture.width + x] > 125 {
                sumX += x
                sumY += y
                count += 1
            }
        }
        #expect(count > 0, "the box is not in the picture: the photo was not turned")
        guard count > 0 else { return }
        let centreX = Double(sumX) / Double(count) / Double(picture.width)
        let centreY = Double(sumY) / Double(count) / Double(picture.height)
        #expect(centreX > 0.85 && centreY > 0.02 && centreY < 0.25, "box centre at (\(centreX), \(centreY))")
    }
}
