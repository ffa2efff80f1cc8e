import Contracts
import Foundation
import TestSupport
import Testing

@testable import Media

/// Scene detection on the generated clips, scored against `testmedia/truth.json`.
struct SceneDetectionTests {
    nonisolated(unsafe) static let truth: [String: [String: Any]] = {
        let data = try! Data(contentsOf: TestEnvironment.testmedia("truth.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
    }()

    /// F1 of found cuts against true cut frames, a found cut matching a true one within ±1 frame.
    static func f1(found: [Int], truth: [Int]) -> Double {
        var unmatched = truth
        var hits = 0
        for frame in found {
            if let match = unmatched.firstIndex(where: { abs($0 - frame) <= 1 }) {
                unmatched.remove(at: match)
                hits += 1
            }
        }
        guard !found.isEmpty || !truth.isEmpty else { return 1 }
        let precision = found.isEmpty ? 0 : Double(hits) / Double(found.count)
        let recall = truth.isEmpty ? 1 : Double(hits) / Double(truth.count)
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }

    /// The adaptive detector (the default) on both clips; PySceneDetect's plain content detector also cuts
    /// inside the 720p clip's fast-scrolling texture (as it does in PySceneDetect), so it is held to the 1080p clip.
    @Test(arguments: [("cuts-720p.mp4", "adaptive"), ("cuts-1080p.mp4", "adaptive"), ("cuts-1080p.mp4", "content"), ("still.mp4", "adaptive")])
    func hardCutsAreFound(clip: String, detector: String) throws {
        let result = try SceneAnalyzer(cutDetector: detector).analyze(path: TestEnvironment.testmedia(clip).path)
        let expected = try #require(Self.truth[clip]?["cut_frames"] as? [Int])
        let found = result.transitions.map(\.frame)
        let score = Self.f1(found: found, truth: expected)
        #expect(
            score >= 0.95,
            "\(clip) \(detector): found \(result.transitions.map { "\($0.kind.rawValue)@\($0.frame)" }), truth \(expected), F1 \(score)"
        )
        #expect(result.transitions.allSatisfy { $0.kind == .cut })
        #expect(result.scenes.count == expected.count + 1)
        #expect(result.frameCount == Self.truth[clip]?["frame_count"] as? Int)
    }

    @Test func fastMotionIsNotACut() throws {
        let result = try SceneAnalyzer().analyze(path: TestEnvironment.testmedia("motion.mp4").path)
        #expect(result.transitions.isEmpty, "\(result.transitions)")
        #expect(result.scenes.count == 1)
    }

    /// `still.mp4` holds still for 6 s, with a barely visible change (a small box 2 luma levels brighter,
    /// and the slight flicker of re-encoded keyframes): against neighbours that do not change at all, each
    /// stands out as much as a cut does, so only the adaptive detector's minimum content value keeps it
    /// from being one. With the default minimum only the true cut is found; with almost none the still
    /// segment is cut, which shows the clip provokes what it should.
    @Test func aBarelyVisibleChangeBetweenStillFramesIsNotACut() throws {
        let path = TestEnvironment.testmedia("still.mp4").path
        let expected = try #require(Self.truth["still.mp4"]?["cut_frames"] as? [Int])
        let result = try SceneAnalyzer().analyze(path: path)
        #expect(result.transitions.map(\.frame) == expected, "\(result.transitions)")
        #expect(result.scenes.count == 2)
        let unguarded = try SceneAnalyzer(minimumContent: 0.01).analyze(path: path)
        let still = try #require(expected.first)
        #expect(unguarded.transitions.contains { $0.kind == .cut && $0.frame < still }, "\(unguarded.transitions)")
    }

    /// Phone video: `portrait.mp4` (720×1280 at 25 fps) is measured at 144×256, as many pixels as a 1280×720
    /// frame at 256×144 (shrunk by its width it kept 6× as many), and its two cuts, fast pan and dissolve
    /// come out as they should.
    @Test func portraitVideoIsMeasuredLikeLandscapeAndEveryTransitionIsFound() throws {
        let path = TestEnvironment.testmedia("portrait.mp4").path
        var size: (width: Int, height: Int)?
        try VideoDecoder(input: try MediaInput(path: path, limits: .init()), targetSize: 256).forEachFrame { frame in
            size = (frame.width, frame.height)
            return false
        }
        #expect(size?.width == 144 && size?.height == 256, "\(String(describing: size))")
        let entry = try #require(Self.truth["portrait.mp4"])
        let cuts = try #require(entry["cut_frames"] as? [Int])
        let blend = try #require(entry["transition"] as? [String: Any])
        let start = try #require(blend["start_frame"] as? Int)
        let end = try #require(blend["end_frame"] as? Int)
        let result = try SceneAnalyzer().analyze(path: path)
        let found = result.transitions.filter { $0.kind == .cut }.map(\.frame)
        #expect(Self.f1(found: found, truth: cuts) == 1, "found \(result.transitions), truth \(cuts)")
        let dissolves = result.transitions.filter { $0.kind == .dissolve }
        #expect(dissolves.count == 1 && dissolves.allSatisfy { (start...end).contains($0.frame) }, "\(result.transitions)")
        #expect(result.scenes.count == cuts.count + 2)
        #expect(result.frameCount == entry["frame_count"] as? Int)
    }

    @Test func aDissolveIsOneTransition() throws {
        let result = try SceneAnalyzer().analyze(path: TestEnvironment.testmedia("fade.mp4").path)
        let blend = try #require(Self.truth["fade.mp4"]?["transition"] as? [String: Any])
        let start = try #require(blend["start_frame"] as? Int)
        let end = try #require(blend["end_frame"] as? Int)
        #expect(result.transitions.count == 1, "\(result.transitions)")
        let found = try #require(result.transitions.first)
        #expect(found.kind == .dissolve)
        #expect((start...end).contains(found.frame), "\(found)")
        #expect(result.scenes.count == 2)
    }

    @Test func aFileWithoutVideoIsAClearError() throws {
        let error = #expect(throws: FFmpegError.self) {
            try SceneAnalyzer().analyze(path: TestEnvironment.testmedia("speech1.wav").path)
        }
        #expect(error?.description.contains("no video stream") == true)
    }

    @Test func perFrameScoresExportAsCSV() throws {
        let csv = try SceneAnalyzer().statisticsCSV(path: TestEnvironment.testmedia("cuts-1080p.mp4").path)
        let rows = csv.split(separator: "\n")
        #expect(rows.first == "frame,seconds,content_score,luma_change,luma_variance,span,midpoint_residual")
        #expect(rows.count == 1 + (Self.truth["cuts-1080p.mp4"]?["frame_count"] as? Int ?? -1))
        // The cut at frame 60 has the highest content score of its neighbourhood.
        let scores = rows.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[2])! }
        #expect(scores[60] > 27 && scores[59] < 27 && scores[61] < 27)
    }
}

/// The adaptive detector's minimum content value, on made-up statistics (no decoding).
struct AdaptiveDetectorTests {
    /// Frames with the given content scores, 30 per second.
    static func frames(_ scores: [Double]) -> [FrameStatistics] {
        scores.enumerated().map { FrameStatistics(index: $0.offset, seconds: Double($0.offset) / 30, contentScore: $0.element, lumaChange: 0, lumaVariance: 0) }
    }

    @Test func aSmallChangeAmongStillFramesIsNotACut() {
        var scores = [Double](repeating: 0, count: 60)
        scores[30] = 0.4
        let frames = Self.frames(scores)
        #expect(AdaptiveDetector().transitions(in: frames, spans: []).isEmpty)
        // Without the minimum the ratio to still neighbours alone would call it a cut.
        #expect(AdaptiveDetector(minimumContent: 0.01).transitions(in: frames, spans: []).map(\.frame) == [30])
    }

    @Test func aSmallChangeAmongNearlyStillFramesIsNotACut() {
        var scores = [Double](repeating: 0.02, count: 60)
        scores[30] = 0.5
        #expect(AdaptiveDetector().transitions(in: Self.frames(scores), spans: []).isEmpty)
    }

    @Test func aCutAfterStillFramesIsStillACut() {
        var scores = [Double](repeating: 0, count: 60)
        scores[30] = SceneAnalyzer.defaultMinimumContent + 20
        #expect(AdaptiveDetector().transitions(in: Self.frames(scores), spans: []).map(\.frame) == [30])
    }

    @Test func theStageOptionReachesTheAnalyzer() throws {
        let configuration = try StageOptionsJSON.decode(ScenesStage.Configuration.self, #"{"min_content_value": 20}"#)
        #expect(configuration.minimumContent == 20)
        #expect(ScenesStage.Configuration().minimumContent == SceneAnalyzer.defaultMinimumContent)
        let options = SceneOptions(detector: "adaptive", analysisWidth: 256, minimumContent: 20, deadlineSeconds: 1, limits: MediaLimits())
        let decoded = try JSONDecoder().decode(SceneOptions.self, from: JSONEncoder().encode(options))
        #expect((try decoded.analyzer.configuredCutDetector() as? AdaptiveDetector)?.minimumContent == 20)
        #expect(throws: DecodingError.self) {
            try StageOptionsJSON.decode(ScenesStage.Configuration.self, #"{"min_content_value": 300}"#)
        }
    }
}

/// The C statistics kernel computes exactly what the Swift reference `FrameStatisticsBuilder.hsv` does.
struct FrameStatisticsKernelTests {
    @Test func theKernelMatchesTheReferenceHSVOnAGridDenseNearGrey() {
        var pixels: [UInt8] = []
        // Every difference from 0 to 9 between channels (near-grey pixels divide by a small delta: an
        // earlier kernel divided by 1 wrongly), and a coarse grid over the rest.
        let levels = Array(
            Set(
                Array(0...9) + [16, 17, 63, 64, 127, 128, 129, 191, 246, 250, 253, 254, 255]
                    + stride(from: 0, through: 255, by: 15)
            )
        ).sorted()
        for r in levels { for g in levels { for b in levels { pixels += [UInt8(r), UInt8(g), UInt8(b)] } } }
        let width = pixels.count / 3
        var builder = FrameStatisticsBuilder()
        let (statistics, luma) = pixels.withUnsafeBufferPointer { buffer in
            builder.add(AnalysisFrame(index: 0, seconds: 0, width: width, height: 1, stride: width * 3, pixels: buffer))
        }
        var expectedLuma: [UInt8] = []
        var lumaTotal = 0
        for index in 0..<width {
            let r = Int(pixels[3 * index])
            let g = Int(pixels[3 * index + 1])
            let b = Int(pixels[3 * index + 2])
            let y = (77 * r + 150 * g + 29 * b) >> 8
            expectedLuma.append(UInt8(y))
            lumaTotal += y
        }
        #expect(luma == expectedLuma)
        #expect(
            abs(
                statistics.lumaVariance + pow(Double(lumaTotal) / Double(width), 2) - Double(expectedLuma.map { Int($0) * Int($0) }.reduce(0, +))
                    / Double(width)
            ) < 1e-6
        )
        // A second frame of the reference HSV of each colour, shifted by one pixel: the content score is the
        // mean absolute HSV difference, computed here from the reference.
        var shifted = Array(pixels[3...]) + Array(pixels[0..<3])
        let second = shifted.withUnsafeMutableBufferPointer { buffer in
            builder.add(AnalysisFrame(index: 1, seconds: 0.04, width: width, height: 1, stride: width * 3, pixels: UnsafeBufferPointer(buffer))).0
        }
        var difference = 0
        for index in 0..<width {
            let a = FrameStatisticsBuilder.hsv(Int(pixels[3 * index]), Int(pixels[3 * index + 1]), Int(pixels[3 * index + 2]))
            let next = (index + 1) % width
            let b = FrameStatisticsBuilder.hsv(Int(pixels[3 * next]), Int(pixels[3 * next + 1]), Int(pixels[3 * next + 2]))
            difference += abs(Int(a.0) - Int(b.0)) + abs(Int(a.1) - Int(b.1)) + abs(Int(a.2) - Int(b.2))
        }
        #expect(second.contentScore == Double(difference) / Double(3 * width))
    }
}
