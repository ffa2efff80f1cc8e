public import Foundation
public import Media
public import Pipeline

/// A still prepared for its Ken Burns move: cropped to the output's aspect and scaled once, with room to zoom
/// and drift, so each frame is one bilinear draw of a floating-point rectangle of it.
public struct PreparedStill: Sendable {
    public let picture: YUVPicture
    /// Which way this still moves (alternating zoom in and out, drifting a different way each time).
    public let motion: StillMotion

    /// Decodes `file`, crops it to `width:height` around its centre and scales it to the working size the
    /// template's zoom and pan need: one libswscale pass from the decoder's own pixels (a JPEG's YUV), with no
    /// RGB copies in between (decoding to RGB, cropping and converting back took half as long again).
    public static func load(_ file: URL, index: Int, template: ReelTemplate, limits: MediaLimits) throws -> PreparedStill {
        let reader = try VideoPictureReader(path: file.path, limits: limits, deadlineSeconds: limits.deadlineSeconds)
        let motion = StillMotion(index: index, width: template.width, height: template.height, zoom: template.motion.zoom, pan: template.motion.pan)
        var picture: YUVPicture?
        try reader.forEachFrame { frame in
            picture = try frame.picture(
                crop: coverCrop(width: frame.width, height: frame.height, aspect: Double(template.width) / Double(template.height)),
                width: motion.workingWidth,
                height: motion.workingHeight
            )
            return false
        }
        guard let picture else { throw ReelError("the file holds no picture") }
        return PreparedStill(picture: picture, motion: motion)
    }

    /// The largest centred rectangle of a `width × height` picture with the given aspect (width ÷ height).
    static func coverCrop(width: Int, height: Int, aspect: Double) -> PixelRect {
        var cropWidth = Double(width)
        var cropHeight = Double(height)
        if cropWidth / cropHeight > aspect { cropWidth = cropHeight * aspect } else { cropHeight = cropWidth / aspect }
        let x = Int((Double(width) - cropWidth) / 2)
        let y = Int((Double(height) - cropHeight) / 2)
        return PixelRect(x: x, y: y, width: max(2, Int(cropWidth)), height: max(2, Int(cropHeight)))
    }

    /// The frame at `progress` (0…1 through this still's time on screen).
    public func render(at progress: Double, into target: inout YUVPicture) {
        PictureResampler.draw(picture, rect: motion.rect(at: progress), into: &target)
    }
}

/// The move of one still: a zoom between 1 and `zoom` (in on even stills, out on odd ones) at a constant
/// perceived speed (geometric in the scale), and a straight drift of the centre. The working picture is
/// large enough that the rectangle never needs clamping, so the motion has no kinks.
public struct StillMotion: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let zoom: Double
    public let pan: Double
    public let zoomsIn: Bool
    /// Drift direction, unit-ish (x, y).
    public let direction: (Double, Double)

    public static func == (a: StillMotion, b: StillMotion) -> Bool {
        a.width == b.width && a.height == b.height && a.zoom == b.zoom && a.pan == b.pan && a.zoomsIn == b.zoomsIn
            && a.direction == b.direction
    }

    public init(index: Int, width: Int, height: Int, zoom: Double, pan: Double) {
        self.width = width
        self.height = height
        self.zoom = zoom
        self.pan = pan
        zoomsIn = index % 2 == 0
        let directions: [(Double, Double)] = [(1, 0.3), (-0.6, 1), (-1, -0.4), (0.5, -1)]
        direction = directions[index % directions.count]
    }

    /// The working picture: the output scaled by the zoom, plus the drift's room on each side.
    public var workingWidth: Int { Int((Double(width) * zoom * (1 + 2 * pan)).rounded(.up)) & ~1 }
    public var workingHeight: Int { Int((Double(height) * zoom * (1 + 2 * pan)).rounded(.up)) & ~1 }

    /// The source rectangle at `progress` (0…1).
    public func rect(at progress: Double) -> SourceRect {
        let p = min(max(progress, 0), 1)
        let scale = zoomsIn ? pow(zoom, p) : pow(zoom, 1 - p)
        let spanX = Double(width) * zoom / scale
        let spanY = Double(height) * zoom / scale
        let centreX = Double(workingWidth) / 2 + direction.0 * pan * Double(width) * zoom * (2 * p - 1)
        let centreY = Double(workingHeight) / 2 + direction.1 * pan * Double(height) * zoom * (2 * p - 1)
        return SourceRect(x: centreX - spanX / 2, y: centreY - spanY / 2, width: spanX, height: spanY)
    }
}
