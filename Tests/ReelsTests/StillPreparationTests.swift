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
        _ = try ReelFixtures.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=1920x1080",
                                            "-vf", "drawbox=x=860:y=0:w=200:h=1080:c=white:t=fill",
                                            "-frames:v", "1", "-q:v", "1", file.path])
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
        let left = Double(columns.first ?? 0) / Double(picture.width), right = Double(columns.last ?? 0) / Double(picture.width)
        #expect(abs(left - 204.0 / 607) < 0.01 && abs(right - 404.0 / 607) < 0.01, "bar spans \(left)…\(right)")
        #expect(picture.blue.allSatisfy { abs(Int($0) - 128) <= 3 } && picture.red.allSatisfy { abs(Int($0) - 128) <= 3 })
    }

    @Test func coverCropKeepsTheCentreAtTheTargetAspect() {
        let wide = PreparedStill.coverCrop(width: 1920, height: 1080, aspect: 9.0 / 16)
        #expect(wide == PixelRect(x: 656, y: 0, width: 607, height: 1080))
        let tall = PreparedStill.coverCrop(width: 1000, height: 3000, aspect: 1)
        #expect(tall == PixelRect(x: 0, y: 1000, width: 1000, height: 1000))
    }
}
