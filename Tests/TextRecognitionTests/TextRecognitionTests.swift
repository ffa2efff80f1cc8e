import Contracts
import Foundation
import TestSupport
import Testing

@testable import Media
@testable import TextRecognition

/// OCR on the caption fixtures, scored by character accuracy against `testmedia/truth.json`.
struct TextRecognitionTests {
    nonisolated(unsafe) static let truth: [String: [String: Any]] = {
        let data = try! Data(contentsOf: TestEnvironment.testmedia("truth.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
    }()

    static func caption(_ name: String) -> String { truth[name]!["caption"] as! String }

    /// The default CPU budget without the wall-clock deadline: a loaded machine must never cut a reading
    /// in a test. The CPU budget only counts Tesseract's own time on the reading thread, which load does
    /// not stretch.
    static let budget = OCRBudget(deadlineSeconds: nil)

    /// Includes the kinds the Tesseract CLI alone reads nothing from here: yellow serif on colour bars,
    /// white on a busy texture.
    @Test(arguments: ["caption-plain.png", "caption-yellow-bars.png", "caption-white-texture.png"])
    func captionImagesAreRead(name: String) throws {
        let reading = try TextRecognizer().recognize(path: TestEnvironment.testmedia(name).path, limits: MediaLimits(), budget: Self.budget)
        let accuracy = TextAccuracy.characterAccuracy(found: reading.text, truth: Self.caption(name))
        #expect(accuracy >= 0.95, "\(name): read '\(reading.text)' (accuracy \(accuracy))")
        #expect(reading.notes == nil, "\(name): read within the default budget")
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
        let reading = try TextRecognizer().recognize(path: try #require(keyframes.first).imagePath, limits: MediaLimits(), budget: Self.budget)
        let accuracy = TextAccuracy.characterAccuracy(found: reading.text, truth: Self.caption(name))
        #expect(accuracy >= 0.95, "read '\(reading.text)' (accuracy \(accuracy))")
    }

    @Test func aPictureWithoutTextReadsNothing() throws {
        let reading = try TextRecognizer().recognize(path: TestEnvironment.testmedia("photo3.jpg").path, limits: MediaLimits(), budget: Self.budget)
        #expect(reading.text.split { $0.isWhitespace }.count <= 1, "read '\(reading.text)'")
    }

    /// The photo-like fixture's film grain gathers into caption bands in which Tesseract's layout finds tens
    /// of lines: such a band is left after its layout (`captionLineLimit`), so the picture is read whole well
    /// within its budget instead of spending all of it on grain (as it did before the limit). CPU time, not
    /// wall time: a loaded machine cannot change the outcome.
    @Test func grainBandsAreLeftAfterTheirLayout() throws {
        let image = try FrameGrabber.firstPicture(path: TestEnvironment.testmedia("photo.jpg").path, limits: MediaLimits())
        let (reading, trace) = try TextRecognizer().read(image, budget: Self.budget)
        #expect(trace.stop == nil, "stopped: \(String(describing: trace.stop)) after \(trace.cpuSeconds) s of CPU")
        #expect(trace.page == .read)
        #expect(reading.blocks.isEmpty && reading.notes == nil, "read '\(reading.text)'")
    }

    // MARK: The textured still: no text, a minute of Tesseract when read whole

    static func texture() throws -> RGBImage {
        try FrameGrabber.firstPicture(path: TestEnvironment.testmedia("texture.jpg").path, limits: MediaLimits())
    }

    /// The caption search finds nothing on it and it is dense with outlines, so Tesseract never sees it:
    /// no layout analysis (which its monitor could not cut), no word recognised (its monitor never consulted).
    @Test func theTexturedStillIsNotReadWhole() throws {
        let (reading, trace) = try TextRecognizer().read(Self.texture(), budget: Self.budget)
        #expect(trace.page == .skippedTexture)
        #expect(trace.ticks == 0, "Tesseract recognised \(trace.ticks) words")
        #expect(reading.blocks.isEmpty && reading.notes == nil, "read '\(reading.text)', notes \(reading.notes ?? [])")
    }

    /// Read whole all the same, the CPU budget stops it early in its page pass, and the reading says so.
    /// Measured in Tesseract's progress, not in time: stopped at a small share of the page's lines.
    @Test func theBudgetStopsAPageThatWouldTakeAMinute() throws {
        let recognizer = try TextRecognizer()
        recognizer.readsEveryPage = true
        let (reading, trace) = try recognizer.read(Self.texture(), budget: OCRBudget(cpuSeconds: 0.5, deadlineSeconds: nil))
        #expect(trace.page == .read && trace.stop == .cpuBudget)
        let progress = try #require(trace.stoppedAt)
        #expect(progress.word < progress.of / 4, "stopped at line \(progress.word) of \(progress.of)")
        let note = try #require(reading.notes?.first)
        #expect(note.contains("budget of 0.5 s") && note.contains("page pass"), "\(note)")
    }

    /// The monitor's wall-clock deadline stops a reading too (it can only fire sooner than the minute
    /// this page takes, so the test cannot flake), and the note names it.
    @Test func theDeadlineStopsAPageThatWouldTakeAMinute() throws {
        let recognizer = try TextRecognizer()
        recognizer.readsEveryPage = true
        let (reading, trace) = try recognizer.read(Self.texture(), budget: OCRBudget(cpuSeconds: 1000, deadlineSeconds: 1))
        #expect(trace.stop == .deadline)
        #expect(reading.notes?.first?.contains("deadline of 1 s") == true, "\(reading.notes ?? [])")
    }

    /// The texture measure on real pictures: the textured still is far above the line; photos and
    /// captions are below it.
    @Test func outlinesTellTextureFromText() throws {
        func density(_ image: RGBImage) -> Double {
            PageTexture.outlinesPerMegapixel(gray: image.luma(), width: image.width, height: image.height)
        }
        let texture = density(try Self.texture())
        #expect(texture > 1.5 * PageTexture.textureOutlinesPerMegapixel, "texture.jpg: \(texture) outlines per megapixel")
        for name in ["caption-plain.png", "caption-yellow-bars.png", "photo.jpg", "photo3.jpg"] {
            let image = try FrameGrabber.firstPicture(path: TestEnvironment.testmedia(name).path, limits: MediaLimits())
            let value = density(image)
            #expect(value < PageTexture.textureOutlinesPerMegapixel, "\(name): \(value) outlines per megapixel")
            #expect(!PageTexture.isTexture(gray: image.luma(), width: image.width, height: image.height), "\(name)")
        }
        // The count that stops early gives the same answer, from a bound that never exceeds the full count.
        let image = try Self.texture()
        let early = PageTexture.outlinesPerMegapixel(
            gray: image.luma(), width: image.width, height: image.height, stopAbove: PageTexture.textureOutlinesPerMegapixel
        )
        #expect(early > PageTexture.textureOutlinesPerMegapixel && early <= texture, "stopped at \(early), the whole page has \(texture)")
        #expect(PageTexture.isTexture(gray: image.luma(), width: image.width, height: image.height))
    }

    /// A smooth gradient puts each 4-bit colour on a contour the band finder takes for a line of text: one
    /// long piece, which `CaptionGlyphs` calls a shape; the caption fixtures' text bands are letters.
    @Test func gradientContoursAreShapesAndCaptionsAreLetters() throws {
        let width = 480
        let height = 320
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let level = UInt8(max(0, min(255, (Double(y) + 24 * sin(Double(x) / 40) + 24) * 255 / Double(height + 48))))
                let pixel = 3 * (y * width + x)
                pixels[pixel] = level
                pixels[pixel + 1] = 128
                pixels[pixel + 2] = 255 - level
            }
        }
        let gradient = RGBImage(width: width, height: height, pixels: pixels)
        let contours = CaptionBandFinder.bands(in: gradient)
        #expect(!contours.isEmpty, "the gradient's contours look like bands to the band finder")
        #expect(contours.allSatisfy { CaptionGlyphs.isShape($0, in: gradient) })
        for name in ["caption-plain.png", "caption-yellow-bars.png", "caption-white-texture.png"] {
            let image = try FrameGrabber.firstPicture(path: TestEnvironment.testmedia(name).path, limits: MediaLimits())
            let bands = CaptionBandFinder.bands(in: image)
            #expect(!bands.isEmpty && bands.allSatisfy { !CaptionGlyphs.isShape($0, in: image) }, "\(name)")
        }
    }

    /// The box finder skips rows where two samples show no edge run can be: it finds the same boxes as when
    /// it reads every row, on the fixtures and on a box drawn over noise (which only the box's rows pass).
    @Test func sampledRowsFindTheSameCaptionBoxes() throws {
        var pictures: [(String, RGBImage)] = []
        for name in ["caption-plain.png", "caption-yellow-bars.png", "caption-white-texture.png", "photo.jpg", "photo3.jpg", "texture.jpg"] {
            pictures.append((name, try FrameGrabber.firstPicture(path: TestEnvironment.testmedia(name).path, limits: MediaLimits())))
        }
        pictures.append(("caption-video.mp4", try FrameGrabber.firstPicture(path: TestEnvironment.testmedia("caption-video.mp4").path, limits: MediaLimits())))
        // Noise, and a grey box of 600×60 on it, with dark strokes across its middle rows.
        let (width, height) = (900, 400)
        var generator = SystemRandomNumberGenerator()
        var pixels = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for y in 200..<260 {
            for x in 150..<750 {
                let stroke = (210..<250).contains(y) && x > 160 && x < 740 && (x / 7) % 3 == 0
                for channel in 0..<3 { pixels[3 * (y * width + x) + channel] = stroke ? 20 : 128 }
            }
        }
        pictures.append(("a box on noise", RGBImage(width: width, height: height, pixels: pixels)))
        var found = 0
        for (name, image) in pictures {
            let sampled = CaptionBoxFinder.boxes(in: image)
            #expect(sampled == CaptionBoxFinder.boxes(in: image, sampling: false), "\(name)")
            found += sampled.count
        }
        #expect(found > 0, "some picture holds a box, so the comparison is not of empty lists alone")
        #expect(CaptionBoxFinder.boxes(in: pictures.last!.1).first.map { ($0.top, $0.bottom, $0.left) } ?? (0, 0, 0) == (200, 260, 150))
    }

    /// Components counted by rows: a ring is one ink outline with one hole; two diagonal pixels are one
    /// 8-connected ink outline but split the ground no further.
    @Test func runComponentsCountLikeConnectedComponents() {
        // 6×6: ink (0) a ring around a white centre, and one ink pixel touching the ring at a corner.
        let ring: [UInt8] = [
            255, 255, 255, 255, 255, 255,
            255, 0, 0, 0, 255, 255,
            255, 0, 255, 0, 255, 255,
            255, 0, 0, 0, 255, 255,
            255, 255, 255, 255, 0, 255,
            255, 255, 255, 255, 255, 255,
        ]
        // Ink: the ring and the pixel at its lower right corner (diagonal) are one component. Ground: the
        // outside and the hole.
        let perMegapixel = PageTexture.outlinesPerMegapixel(gray: ring, width: 6, height: 6)
        #expect((perMegapixel * 36 / 1_000_000).rounded() == 3)
    }

    /// The stage's options: defaults, and a bad value refused.
    @Test func theStageTakesItsBudgetFromThePipelineFile() throws {
        let defaults = OCRStage.Configuration()
        #expect(defaults.budget == OCRBudget())
        let decoded = try StageOptionsJSON.decode(OCRStage.Configuration.self, #"{"budget_seconds": 1.5, "deadline_seconds": 4}"#)
        #expect(decoded.budget == OCRBudget(cpuSeconds: 1.5, deadlineSeconds: 4))
        #expect(throws: DecodingError.self) {
            try StageOptionsJSON.decode(OCRStage.Configuration.self, #"{"budget_seconds": 0}"#)
        }
    }

    @Test(arguments: ["not-media.mp4", "hostile/huge-dimensions.png", "hostile/zero.mp4"])
    func unreadableFilesGetTheirOwnError(name: String) throws {
        let answers = try TextRecognizer.readAll(
            paths: [TestEnvironment.testmedia(name).path, TestEnvironment.testmedia("caption-plain.png").path],
            limits: MediaLimits(),
            budget: Self.budget
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
