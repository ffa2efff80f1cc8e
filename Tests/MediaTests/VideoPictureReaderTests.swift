import Contracts
import Foundation
import Media
import TestSupport
import Testing

/// Frames read for composition come out in the limited range the H.264 encoder is told it gets, whatever
/// range the source used and however the decoder tags it.
struct VideoPictureReaderTests {
    /// A short 320×240 clip, black with a white bar in the middle, encoded with `codec` in `range`.
    static func barClip(codec: String, range: String, name: String) throws -> URL {
        let file = try TestEnvironment.temporaryDirectory("reader").appending(path: name)
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/ffmpeg")
        process.arguments = [
            "-v", "error", "-y", "-f", "lavfi",
            "-i",
            "color=c=black:s=320x240:d=0.2,drawbox=x=140:y=0:w=40:h=240:c=white:t=fill,"
                + "scale=out_range=\(range),format=yuv420p",
            "-c:v", codec, "-color_range", range == "full" ? "pc" : "tv", file.path,
        ]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ffmpeg could not make \(name)")
        return file
    }

    // VP9 decodes to plain yuv420p tagged full range (no `yuvj` format), which libswscale does not see by itself.
    @Test(arguments: [("libvpx-vp9", "full", "full.webm"), ("libvpx-vp9", "limited", "limited.webm"), ("libx264", "full", "full.mp4")])
    func blackAndWhiteComeOutAtLimitedRangeLevels(codec: String, range: String, name: String) throws {
        let reader = try VideoPictureReader(
            path: try Self.barClip(codec: codec, range: range, name: name).path,
            limits: MediaLimits(),
            deadlineSeconds: 20
        )
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

    /// The centre of the bright pixels of a luma plane, as shares of its width and height.
    static func brightCentre(_ luma: [UInt8], width: Int, height: Int, above level: UInt8) -> (x: Double, y: Double)? {
        var sumX = 0
        var sumY = 0
        var count = 0
        for y in 0..<height {
            for x in 0..<width where luma[y * width + x] > level {
                sumX += x
                sumY += y
                count += 1
            }
        }
        guard count > 0 else { return nil }
        return (Double(sumX) / Double(count) / Double(width), Double(sumY) / Double(count) / Double(height))
    }

    // A phone's portrait video is stored as landscape frames plus a display matrix. The ffmpeg CLI turns
    // such frames upright when it decodes them; the reader must show them the same way.
    @Test(arguments: [90, 180, 270])
    func framesWithADisplayMatrixComeOutAsTheFfmpegCLIShowsThem(rotate: Int) throws {
        let folder = try TestEnvironment.temporaryDirectory("rotated")
        let plain = folder.appending(path: "plain.mp4")
        let turned = folder.appending(path: "turned-\(rotate).mp4")
        // Black 320×240 with a white box near the top-left corner: every turn moves it somewhere else.
        try Self.ffmpeg([
            "-f", "lavfi", "-i", "color=c=black:s=320x240:d=0.2,drawbox=x=20:y=20:w=60:h=40:c=white:t=fill,format=yuv420p",
            "-c:v", "libx264", plain.path,
        ])
        try Self.ffmpeg(["-i", plain.path, "-c", "copy", "-metadata:s:v:0", "rotate=\(rotate)", turned.path])
        let shown = try Self.ffmpegGray(turned)  // the CLI's own upright decode
        let probed = try #require(try MediaProber().probe(path: turned.path).video)
        #expect(
            probed.width == shown.width && probed.height == shown.height && probed.rotation != nil,
            "probe says \(probed.width ?? 0)×\(probed.height ?? 0) turned \(probed.rotation ?? 0)°"
        )
        let reader = try VideoPictureReader(path: turned.path, limits: MediaLimits(), deadlineSeconds: 20)
        #expect(reader.rotation == probed.rotation)
        #expect(
            reader.sourceWidth == shown.width && reader.sourceHeight == shown.height,
            "reader says \(reader.sourceWidth)×\(reader.sourceHeight), ffmpeg shows \(shown.width)×\(shown.height)"
        )
        var picture: YUVPicture?
        try reader.forEachFrame { frame in
            picture = try frame.picture(
                crop: PixelRect(x: 0, y: 0, width: frame.width, height: frame.height),
                width: shown.width,
                height: shown.height
            )
            return false
        }
        let upright = try #require(picture)
        let ours = try #require(Self.brightCentre(upright.luma, width: upright.width, height: upright.height, above: 125))
        let theirs = try #require(Self.brightCentre(shown.luma, width: shown.width, height: shown.height, above: 128))
        #expect(abs(ours.x - theirs.x) < 0.02 && abs(ours.y - theirs.y) < 0.02, "box at \(ours), ffmpeg shows it at \(theirs)")
        // The box must have moved: the unturned frame has it at about (0.16, 0.17).
        #expect(abs(ours.x - 0.156) > 0.1 || abs(ours.y - 0.167) > 0.1)

        // Analysis (keyframes, OCR) sees the same upright picture.
        let analysed = try FrameGrabber.firstPicture(path: turned.path, limits: MediaLimits())
        #expect(analysed.width == shown.width && analysed.height == shown.height, "analysis picture \(analysed.width)×\(analysed.height)")
        let red = stride(from: 0, to: analysed.pixels.count, by: 3).map { analysed.pixels[$0] }
        let seen = try #require(Self.brightCentre(red, width: analysed.width, height: analysed.height, above: 128))
        #expect(abs(seen.x - theirs.x) < 0.02 && abs(seen.y - theirs.y) < 0.02, "analysis sees the box at \(seen), ffmpeg at \(theirs)")
    }

    static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/ffmpeg")
        process.arguments = ["-v", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The first frame as the ffmpeg CLI shows it (it applies display matrices), in 8-bit gray.
    static func ffmpegGray(_ file: URL) throws -> (luma: [UInt8], width: Int, height: Int) {
        let probe = Process()
        let pipe = Pipe()
        probe.executableURL = URL(filePath: "/usr/bin/ffmpeg")
        probe.arguments = ["-v", "error", "-i", file.path, "-frames:v", "1", "-f", "image2pipe", "-c:v", "pgm", "-"]
        probe.standardOutput = pipe
        try probe.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        probe.waitUntilExit()
        // PGM: "P5\n<width> <height>\n255\n" then the pixels.
        let bytes = [UInt8](data)
        let newlines = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }.prefix(3)
        guard newlines.count == 3 else { throw CocoaError(.fileReadCorruptFile) }
        let size = String(decoding: bytes[(newlines[0] + 1)..<newlines[1]], as: UTF8.self).split(separator: " ").compactMap { Int($0) }
        guard size.count == 2, bytes.count >= newlines[2] + 1 + size[0] * size[1] else { throw CocoaError(.fileReadCorruptFile) }
        return (Array(bytes[(newlines[2] + 1)..<(newlines[2] + 1 + size[0] * size[1])]), size[0], size[1])
    }
}
