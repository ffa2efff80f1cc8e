import Contracts
import Foundation
import Media
import TestSupport
import Testing

@testable import TextRecognition

/// OCR on the caption fixtures, scored by character accuracy against `testmedia/truth.json`.
struct TextRecognitionTests {
    nonisolated(unsafe) static let truth: [String: [String: Any]] = {
        let data = try! Data(contentsOf: TestEnvironment.testmedia("truth.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
    }()

    static func caption(_ name: String) -> String { truth[name]!["caption"] as! String }

    /// Includes the kinds the Tesseract CLI alone reads nothing from here: yellow serif on colour bars,
    /// white on a busy texture.
    @Test(arguments: ["caption-plain.png", "caption-yellow-bars.png", "caption-white-texture.png"])
    func captionImagesAreRead(name: String) throws {
        let reading = try TextRecognizer().recognize(path: TestEnvironment.testmedia(name).path, limits: MediaLimits())
        let accuracy = TextAccuracy.characterAccuracy(found: reading.text, truth: Self.caption(name))
        #expect(accuracy >= 0.95, "\(name): read '\(reading.text)' (accuracy \(accuracy))")
        // The caption's block lies where the fixture drew it.
        let box = Self.truth[name]!["text_bbox"] as! [String: Int]
        let block = try #require(reading.blocks.max { $0.confidence < $1.confidence })
        #expect(abs(block.y - box["y"]!) <= 12 && abs(block.x - box["x"]!) <= 12, "\(name): block at \(block.x),\(block.y)")
    }

    /// A caption burned into video, read from the keyframe the keyframes stage picks.
    @Test func aBurnedInVideoCaptionIsReadFromItsKeyframe() throws {
        let name = "caption-video.mp4"
        let path = TestEnvironment.testmedia(name).path
        let scenes = try SceneOptions(detector: "adaptive", analysisWidth: 256, deadlineSeconds: 60, limits: MediaLimits()).analyze(path: path)
        let folder = try TestEnvironment.temporaryDirectory("keyframes")
        let keyframes = try KeyframeOptions(scenes: scenes.scenes, limits: MediaLimits(), outputDirectory: folder.path).extract(path: path)
        #expect(keyframes.count == scenes.scenes.count)
        let reading = try TextRecognizer().recognize(path: try #require(keyframes.first).imagePath, limits: MediaLimits())
        let accuracy = TextAccuracy.characterAccuracy(found: reading.text, truth: Self.caption(name))
        #expect(accuracy >= 0.95, "read '\(reading.text)' (accuracy \(accuracy))")
    }

    @Test func aPictureWithoutTextReadsNothing() throws {
        let reading = try TextRecognizer().recognize(path: TestEnvironment.testmedia("photo3.jpg").path, limits: MediaLimits())
        #expect(reading.text.split { $0.isWhitespace }.count <= 1, "read '\(reading.text)'")
    }

    @Test(arguments: ["not-media.mp4", "hostile/huge-dimensions.png", "hostile/zero.mp4"])
    func unreadableFilesGetTheirOwnError(name: String) throws {
        let answers = try TextRecognizer.readAll(
            paths: [TestEnvironment.testmedia(name).path, TestEnvironment.testmedia("caption-plain.png").path],
            limits: MediaLimits()
        )
        #expect(answers[0].result == nil && answers[0].error?.isEmpty == false)
        #expect(answers[1].result?.text.contains("Sunday") == true, "one bad picture does not spoil the next")
    }

    @Test func theBandFinderSkipsFilledShapes() throws {
        // A solid yellow rectangle in the middle of a grey picture is not a caption.
        var pixels = [UInt8](repeating: 128, count: 200 * 100 * 3)
        for y in 40..<60 {
            for x in 20..<180 {
                pixels[3 * (y * 200 + x)] = 255
                pixels[3 * (y * 200 + x) + 1] = 255
                pixels[3 * (y * 200 + x) + 2] = 0
            }
        }
        #expect(CaptionBandFinder.bands(in: RGBImage(width: 200, height: 100, pixels: pixels)).isEmpty)
    }
}
