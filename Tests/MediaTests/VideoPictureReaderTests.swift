import Foundation
import Media
import Testing
import TestSupport

/// Frames read for composition come out in the limited range the H.264 encoder is told it gets, whatever
/// range the source used and however the decoder tags it.
struct VideoPictureReaderTests {
    /// A short 320×240 clip, black with a white bar in the middle, encoded with `codec` in `range`.
    static func barClip(codec: String, range: String, name: String) throws -> URL {
        let file = try TestEnvironment.temporaryDirectory("reader").appending(path: name)
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/ffmpeg")
        process.arguments = ["-v", "error", "-y", "-f", "lavfi",
                             "-i", "color=c=black:s=320x240:d=0.2,drawbox=x=140:y=0:w=40:h=240:c=white:t=fill,"
                                 + "scale=out_range=\(range),format=yuv420p",
                             "-c:v", codec, "-color_range", range == "full" ? "pc" : "tv", file.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ffmpeg could not make \(name)")
        return file
    }

    // VP9 decodes to plain yuv420p tagged full range (no `yuvj` format), which libswscale does not see by itself.
    @Test(arguments: [("libvpx-vp9", "full", "full.webm"), ("libvpx-vp9", "limited", "limited.webm"), ("libx264", "full", "full.mp4")])
    func blackAndWhiteComeOutAtLimitedRangeLevels(codec: String, range: String, name: String) throws {
        let reader = try VideoPictureReader(path: try Self.barClip(codec: codec, range: range, name: name).path,
                                            limits: MediaLimits(), deadlineSeconds: 20)
        // The same size (libswscale's unscaled copy) and twice the size (its scaler).
        var pictures: [YUVPicture] = []
        try reader.forEachFrame { frame in
            let whole = PixelRect(x: 0, y: 0, width: frame.width, height: frame.height)
            pictures = [try frame.picture(crop: whole, width: 320, height: 240), try frame.picture(crop: whole, width: 640, height: 480)]
            return false
        }
        #expect(pictures.count == 2, "\(name): no frame decoded")
        for picture in pictures {
            let size = "\(name) at \(picture.width)×\(picture.height)"
            let row = Array(picture.luma[(picture.height / 2 * picture.width)...].prefix(picture.width))
            func at(_ share: Double) -> Int { Int(row[Int(share * Double(picture.width))]) }
            #expect(abs(at(0.06) - 16) <= 3, "\(size): black reads \(at(0.06))")
            #expect(abs(at(0.94) - 16) <= 3, "\(size): black reads \(at(0.94))")
            #expect(abs(at(0.5) - 235) <= 3, "\(size): white reads \(at(0.5))")
        }
    }
}
