import Contracts
import Domain
import Foundation
import Media
import Pipeline

extension ReelComposer {
    /// The text card as one JPEG at the template's size, for a platform that posts a picture where there is
    /// no media (an Instagram feed post): the key line on the brand colour, as a reel's card shows it, with no
    /// sound and nothing to encode but one frame. The picture is probed back before anyone sees it.
    func composePicture(_ card: TextCard, started: ContinuousClock.Instant) throws -> ComposedReel {
        let template = job.template
        let renderer = try SubtitleRenderer(card: card, seconds: 1, template: template, safeArea: job.platform.safeArea)
        var picture = Self.cardBackground(card.background, width: template.width, height: template.height)
        renderer.burn(into: &picture, at: 0)
        let output = URL(filePath: job.output)
        try? FileManager.default.removeItem(at: output)
        try JPEGEncoder.encode(picture, quality: 2).write(to: output)
        let bytes = try ReelVerifier.verifyPicture(file: output, template: template, platform: job.platform)
        return ComposedReel(
            template: template.name,
            platform: template.platform.rawValue,
            source: ComposedReel.cardPicture,
            width: template.width,
            height: template.height,
            fps: 0,
            frames: 1,
            seconds: 0,
            stills: 0,
            narrated: false,
            // What the picture says, for moderation and the run page.
            subtitles: [SubtitleLine(text: card.text, start: 0, end: 0)],
            audio: MixReport(),
            fileBytes: bytes,
            elapsedSeconds: (ContinuousClock.now - started).seconds,
            notes: []
        )
    }

    /// A picture of the card's brand colour (`#RRGGBB`; a deep blue when it does not parse).
    static func cardBackground(_ colour: String, width: Int, height: Int) -> YUVPicture {
        let (r, g, b) = ReelTemplate.rgb(colour) ?? (30, 58, 95)
        let (red, green, blue) = (Double(r), Double(g), Double(b))
        return YUVPicture(
            width: width,
            height: height,
            y: UInt8(16 + (65.481 * red + 128.553 * green + 24.966 * blue) / 255),
            u: UInt8(128 + (-37.797 * red - 74.203 * green + 112 * blue) / 255),
            v: UInt8(128 + (112 * red - 93.786 * green - 18.214 * blue) / 255)
        )
    }
}
