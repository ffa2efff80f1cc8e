public import Contracts
import Foundation

/// How frame c−w and frame c+w compare (w = `SceneAnalyzer.spanHalfWindow`), for a centre frame c.
struct SpanMeasure: Sendable {
    /// Mean absolute luma difference of the two frames.
    let span: Double
    /// Mean absolute difference of frame c from the average of the two: small inside a linear blend.
    let midpointResidual: Double
}

/// Finds transitions in per-frame statistics. Detectors are pluggable, as in PySceneDetect.
protocol SceneDetector: Sendable {
    var name: String { get }
    func transitions(in frames: [FrameStatistics], spans: [SpanMeasure?]) -> [SceneTransition]
}

/// PySceneDetect's content detector: a cut where the HSV content change from the previous frame passes a
/// threshold, at least `minimumSceneFrames` after the last cut.
struct ContentDetector: SceneDetector {
    var name: String { "content" }
    var threshold = 27.0
    var minimumSceneFrames = 15

    func transitions(in frames: [FrameStatistics], spans: [SpanMeasure?]) -> [SceneTransition] {
        var cuts: [SceneTransition] = []
        var last = 0
        for frame in frames.dropFirst() where frame.contentScore >= threshold && frame.index - last >= minimumSceneFrames {
            cuts.append(
                .init(
                    kind: .cut,
                    frame: frame.index,
                    seconds: frame.seconds,
                    score: frame.contentScore,
                    startFrame: nil,
                    endFrame: nil,
                    detector: name
                )
            )
            last = frame.index
        }
        return cuts
    }
}

/// PySceneDetect's adaptive detector: a cut where the content change stands out against the frames around
/// it (ratio to their mean), so steady fast motion does not cut, and is itself at least `minimumContent`
/// (PySceneDetect's `min_content_val`): after still frames, whose change is zero, any flicker stands out.
struct AdaptiveDetector: SceneDetector {
    var name: String { "adaptive" }
    var ratioThreshold = 3.0
    var minimumContent = SceneAnalyzer.defaultMinimumContent
    var window = 2
    var minimumSceneFrames = 15

    func transitions(in frames: [FrameStatistics], spans: [SpanMeasure?]) -> [SceneTransition] {
        guard frames.count > 2 * window else { return [] }
        var cuts: [SceneTransition] = []
        var last = 0
        for position in window..<(frames.count - window) where position > 0 {
            let neighbours = (position - window...position + window).filter { $0 != position && $0 > 0 }.map { frames[$0].contentScore }
            let mean = neighbours.reduce(0, +) / Double(max(1, neighbours.count))
            let score = frames[position].contentScore
            let ratio = mean > 0.0001 ? score / mean : (score >= minimumContent ? ratioThreshold : 0)
            if ratio >= ratioThreshold && score >= minimumContent && frames[position].index - last >= minimumSceneFrames {
                cuts.append(
                    .init(
                        kind: .cut,
                        frame: frames[position].index,
                        seconds: frames[position].seconds,
                        score: ratio,
                        startFrame: nil,
                        endFrame: nil,
                        detector: name
                    )
                )
                last = frames[position].index
            }
        }
        return cuts
    }
}

/// A gradual transition (dissolve, fade): the frames `window` before and after differ a lot, the change
/// got there in a fairly straight line (the span is much of the summed frame-to-frame change), there is no
/// hard cut inside, and the middle frame is nearly the average of the two ends, as a blend is. Motion
/// wanders (its path is far longer than its span); a smooth animation or camera move is straight but its
/// middle frame is a moved picture, not an average (on the testmedia clips: 0.11 for the dissolve's middle,
/// 0.30 and up for rotation, zoom and pans).
struct DissolveDetector: SceneDetector {
    var name: String { "dissolve" }
    var window = SceneAnalyzer.spanHalfWindow
    var minimumSpan = 12.0
    var minimumStraightness = 0.5
    var cutThreshold = 27.0
    /// Largest midpoint residual, relative to the span, of a blend.
    var maximumMidpointResidual = 0.2

    func transitions(in frames: [FrameStatistics], spans: [SpanMeasure?]) -> [SceneTransition] {
        var candidates: [(center: Int, score: Double)] = []
        for center in frames.indices {
            guard center >= window, center + window < frames.count, let measure = spans[center], measure.span >= minimumSpan
            else { continue }
            let span = measure.span
            let path = frames[(center - window + 1)...(center + window)]
            guard path.allSatisfy({ $0.contentScore < cutThreshold }) else { continue }
            let length = path.reduce(0) { $0 + $1.lumaChange }
            let straightness = length > 0 ? span / length : 0
            let blended = measure.midpointResidual <= maximumMidpointResidual * span
            if straightness >= minimumStraightness && blended {
                candidates.append((center, span * straightness * (1 - measure.midpointResidual / span)))
            }
        }
        // Neighbouring centres belong to one blend.
        var transitions: [SceneTransition] = []
        var group: [(center: Int, score: Double)] = []
        func flush() {
            guard let best = group.max(by: { $0.score < $1.score }), let first = group.first, let last = group.last else { return }
            transitions.append(
                .init(
                    kind: .dissolve,
                    frame: frames[best.center].index,
                    seconds: frames[best.center].seconds,
                    score: best.score,
                    startFrame: frames[max(0, first.center - window)].index,
                    endFrame: frames[min(frames.count - 1, last.center + window)].index,
                    detector: name
                )
            )
            group = []
        }
        for candidate in candidates {
            if let previous = group.last, candidate.center - previous.center > window { flush() }
            group.append(candidate)
        }
        flush()
        return transitions
    }
}

/// Reads a video once and runs the detectors over it.
public struct SceneAnalyzer: Sendable {
    /// The frames on each side a span compares (about half a second at 30 fps).
    static let spanHalfWindow = 15

    /// The detectors in the registry, by name.
    static let registry: [String: any SceneDetector] = [
        "content": ContentDetector(), "adaptive": AdaptiveDetector(), "dissolve": DissolveDetector(),
    ]

    public typealias Result = SceneAnalysis

    /// The least content value the adaptive detector cuts on: PySceneDetect's `min_content_val`, on the
    /// same scale (the mean HSV change of a frame 256 px wide, 0–255).
    public static let defaultMinimumContent = 15.0

    /// Hard cuts from `cutDetector` (`content` or `adaptive`), gradual transitions from `dissolve`.
    public var cutDetector: String
    /// The longer side frames are scaled to (a portrait frame is measured with as many pixels as a
    /// landscape one).
    public var analysisWidth: Int
    /// The least content value of an adaptive cut (`defaultMinimumContent`); the content detector's own
    /// threshold is higher.
    public var minimumContent: Double

    public init(cutDetector: String = "adaptive", analysisWidth: Int = 256, minimumContent: Double = defaultMinimumContent) {
        self.cutDetector = cutDetector
        self.analysisWidth = analysisWidth
        self.minimumContent = minimumContent
    }

    /// The cut detector named `cutDetector`, with this analyzer's settings.
    func configuredCutDetector() throws -> any SceneDetector {
        guard let detector = Self.registry[cutDetector] else { throw FFmpegError.unsupported("no scene detector named \(cutDetector)") }
        guard var adaptive = detector as? AdaptiveDetector else { return detector }
        adaptive.minimumContent = minimumContent
        return adaptive
    }

    /// Per-frame statistics of a file, for detectors and for tuning (`--stats`).
    func statistics(path: String, limits: MediaLimits, deadlineSeconds: Double) throws -> ([FrameStatistics], [SpanMeasure?]) {
        let input = try MediaInput(path: path, limits: limits)
        input.extendDeadline(seconds: deadlineSeconds)
        let decoder = try VideoDecoder(input: input, targetSize: analysisWidth, output: .rgb24)
        var builder = FrameStatisticsBuilder()
        var frames: [FrameStatistics] = []
        var spans: [SpanMeasure?] = []
        var recent: [[UInt8]] = []  // the last 2w+1 luma planes
        let span = 2 * Self.spanHalfWindow
        try decoder.forEachFrameOnSecondThread { frame in
            let (statistics, luma) = builder.add(frame)
            frames.append(statistics)
            spans.append(nil)
            recent.append(luma)
            if recent.count > span + 1 { recent.removeFirst() }
            if recent.count == span + 1, recent[0].count == luma.count, recent[Self.spanHalfWindow].count == luma.count {
                var total = 0
                var residual = 0
                luma.withUnsafeBufferPointer { last in
                    recent[Self.spanHalfWindow].withUnsafeBufferPointer { middle in
                        recent[0].withUnsafeBufferPointer { first in
                            for pixel in 0..<last.count {
                                let a = Int(first[pixel])
                                let c = Int(last[pixel])
                                total += abs(c - a)
                                residual += abs(2 * Int(middle[pixel]) - a - c)
                            }
                        }
                    }
                }
                let center = frames.count - 1 - Self.spanHalfWindow
                spans[center] = SpanMeasure(
                    span: Double(total) / Double(max(1, luma.count)),
                    midpointResidual: Double(residual) / Double(2 * max(1, luma.count))
                )
            }
            return frames.count < 1_000_000
        }
        return (frames, spans)
    }

    /// Per-frame scores as CSV, to tune thresholds: one row per frame with the content score, the luma change,
    /// the luma variance, and for frames with a full window, the span and midpoint residual.
    public func statisticsCSV(path: String, limits: MediaLimits = .init(), deadlineSeconds: Double = 600) throws -> String {
        let (frames, spans) = try statistics(path: path, limits: limits, deadlineSeconds: deadlineSeconds)
        var lines = ["frame,seconds,content_score,luma_change,luma_variance,span,midpoint_residual"]
        lines.reserveCapacity(frames.count + 1)
        for (position, frame) in frames.enumerated() {
            let span = spans[position].map { String(format: "%.3f,%.3f", $0.span, $0.midpointResidual) } ?? ","
            lines.append(
                String(
                    format: "%d,%.4f,%.3f,%.3f,%.1f,",
                    frame.index,
                    frame.seconds,
                    frame.contentScore,
                    frame.lumaChange,
                    frame.lumaVariance
                ) + span
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Scenes and transitions of the video at `path`.
    public func analyze(path: String, limits: MediaLimits = .init(), deadlineSeconds: Double = 600) throws -> Result {
        let cuts = try configuredCutDetector()
        let (frames, spans) = try statistics(path: path, limits: limits, deadlineSeconds: deadlineSeconds)
        var transitions = cuts.transitions(in: frames, spans: spans)
        for dissolve in DissolveDetector().transitions(in: frames, spans: spans) {
            // No frame inside a blend changes as much as a content cut (the dissolve detector checks), so an
            // adaptive cut there is the blend's first frame standing out against the still frames before it
            // (hue swings on greyish pixels): the blend is the transition.
            if let first = dissolve.startFrame, let last = dissolve.endFrame {
                transitions.removeAll { $0.kind == .cut && $0.frame > first && $0.frame <= last && $0.detector == AdaptiveDetector().name }
            }
            if !transitions.contains(where: { abs($0.frame - dissolve.frame) <= Self.spanHalfWindow }) { transitions.append(dissolve) }
        }
        transitions.sort { $0.frame < $1.frame }
        var scenes: [Scene] = []
        var start = frames.first
        for transition in transitions {
            guard let first = start, let end = frames.last(where: { $0.index < transition.frame }) else { continue }
            scenes.append(Scene(startFrame: first.index, endFrame: end.index, startSeconds: first.seconds, endSeconds: end.seconds))
            start = frames.first { $0.index >= transition.frame }
        }
        if let first = start, let last = frames.last {
            scenes.append(Scene(startFrame: first.index, endFrame: last.index, startSeconds: first.seconds, endSeconds: last.seconds))
        }
        return Result(framesPerSecond: nil, frameCount: frames.count, transitions: transitions, scenes: scenes)
    }
}
