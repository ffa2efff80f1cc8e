import Contracts
import Foundation
import Media
import Pipeline

/// A raw video cut for one platform: how long (the platform's limit, ending at a scene boundary when the
/// scenes are known), its own sound, and the frames reframed to the template's aspect.
struct VideoCutPlan {
    let seconds: Double
    let audio: StereoAudio?
    let notes: [String]
    /// The limit that shortened the video, if one did.
    let cappedAt: Double?

    init(path: String, job: ReelJob) throws {
        let name = job.displayName(path)
        let probe: ProbeResult
        do {
            probe = try MediaProber(limits: job.limits).probe(path: path)
        } catch {
            throw ReelError("the video '\(name)' cannot be used: \(error)")
        }
        guard probe.video != nil else { throw ReelError("the video '\(name)' has no picture") }
        let length = probe.video?.durationSeconds ?? probe.durationSeconds ?? 0
        guard length > 0 else { throw ReelError("the video '\(name)' has no duration") }
        let limit = min(job.template.maxSeconds, job.seconds ?? .infinity)
        var notes: [String] = []
        var seconds = length
        cappedAt = length > limit ? limit : nil
        if length > limit {
            if let boundary = job.sceneStarts.filter({ $0 > limit / 2 && $0 <= limit }).max() {
                seconds = boundary
                notes.append("cut at the scene boundary at \(String(format: "%.2f", boundary)) s (the limit is \(Int(limit)) s)")
            } else {
                seconds = limit
                notes.append("cut at \(Int(limit)) s, the template's limit (no scene boundary in its second half)")
            }
        }
        self.seconds = seconds
        self.notes = notes
        if probe.audio != nil {
            do {
                let sound = try AudioDecoder.decodeStereo(
                    path: path,
                    sampleRate: AudioMixer.sampleRate,
                    limits: job.limits,
                    deadlineSeconds: job.limits.maxDurationSeconds
                )
                let count = min(sound.count, Int(seconds * Double(AudioMixer.sampleRate)))
                audio = StereoAudio(sampleRate: sound.sampleRate, left: Array(sound.left[0..<count]), right: Array(sound.right[0..<count]))
            } catch {
                throw ReelError("the sound of the video '\(name)' cannot be used: \(error)")
            }
        } else {
            audio = nil
        }
    }

    /// One reel a decode of the video feeds: its job (size, frame rate, reframing) and how many frames it takes.
    struct Output {
        let job: ReelJob
        let frames: Int
    }

    /// Decodes the video once and emits each output's frames: each output frame shows the latest source frame
    /// at or before its time (frame-rate conversion by repetition and dropping), cropped to fill or fitted over
    /// a blurred copy, as its template says. `emit(k, picture)` takes output `k`'s next frame and returns false
    /// when that output wants no more (its encoder failed); it may replace the picture it is given: each call
    /// gets a copy. Decoding stops when every output has its frames (or wants no more).
    static func render(path: String, outputs: [Output], emit: (Int, inout YUVPicture) throws -> Bool) throws {
        guard let first = outputs.first else { return }
        let name = first.job.displayName(path)
        let reader: VideoPictureReader
        do {
            reader = try VideoPictureReader(path: path, limits: first.job.limits, deadlineSeconds: first.job.limits.maxDurationSeconds)
        } catch {
            throw ReelError("the video '\(name)' cannot be decoded: \(error)")
        }
        var framings = outputs.map { Framing(output: $0, sourceWidth: reader.sourceWidth, sourceHeight: reader.sourceHeight) }
        var firstTime: Double?
        do {
            try reader.forEachFrame { frame in
                let time = frame.seconds - (firstTime ?? frame.seconds)
                if firstTime == nil { firstTime = frame.seconds }
                for index in framings.indices where framings[index].wantsMore {
                    try framings[index].show(frame, from: time) { try emit(index, &$0) }
                }
                return framings.contains { $0.wantsMore }
            }
        } catch let error as ReelError {
            throw error
        } catch {
            throw ReelError("decoding the video '\(name)' failed: \(error)")
        }
        for index in framings.indices where framings[index].wantsMore {
            guard framings[index].previous != nil else { throw ReelError("the video '\(name)' holds no decodable frame") }
            try framings[index].showLastToTheEnd { try emit(index, &$0) }
        }
    }

    /// One output's reframing of the source and its place in its own timeline.
    private struct Framing {
        let output: Output
        let cover: PixelRect
        let whole: PixelRect
        /// Where the whole source goes when fitted over a blurred copy (`reframe: blur`), in output pixels.
        let fitted: PixelRect
        var previous: YUVPicture?
        var next = 0
        var stopped = false

        var wantsMore: Bool { !stopped && next < output.frames }

        init(output: Output, sourceWidth: Int, sourceHeight: Int) {
            self.output = output
            let template = output.job.template
            let aspect = Double(template.width) / Double(template.height)
            var coverWidth = Double(sourceWidth)
            var coverHeight = Double(sourceHeight)
            if coverWidth / coverHeight > aspect { coverWidth = coverHeight * aspect } else { coverHeight = coverWidth / aspect }
            cover = PixelRect(
                x: Int((Double(sourceWidth) - coverWidth) / 2),
                y: Int((Double(sourceHeight) - coverHeight) / 2),
                width: Int(coverWidth),
                height: Int(coverHeight)
            )
            let fit = min(Double(template.width) / Double(sourceWidth), Double(template.height) / Double(sourceHeight))
            let fitWidth = max(2, Int(Double(sourceWidth) * fit) & ~1)
            let fitHeight = max(2, Int(Double(sourceHeight) * fit) & ~1)
            fitted = PixelRect(
                x: ((template.width - fitWidth) / 2) & ~1,
                y: ((template.height - fitHeight) / 2) & ~1,
                width: fitWidth,
                height: fitHeight
            )
            whole = PixelRect(x: 0, y: 0, width: sourceWidth, height: sourceHeight)
        }

        /// Emits the output frames due before this source frame's time (they show the previous one), then keeps
        /// this one, reframed, as the picture now showing.
        mutating func show(_ frame: VideoPictureReader.Frame, from time: Double, emit: (inout YUVPicture) throws -> Bool) throws {
            let template = output.job.template
            let width = template.width
            let height = template.height
            var picture: YUVPicture
            switch template.reframe {
            case .crop:
                picture = try frame.picture(crop: cover, width: width, height: height)
            case .blur:
                let backdrop = try frame.picture(crop: cover, width: max(2, (width / 4) & ~1), height: max(2, (height / 4) & ~1))
                picture = PictureResampler.blurredFill(backdrop, width: width, height: height)
                let source = try frame.picture(crop: whole, width: fitted.width, height: fitted.height)
                PictureResampler.paste(source, into: &picture, x: fitted.x, y: fitted.y)
            }
            while wantsMore, Double(next) / Double(template.fps) < time - 1e-6 {
                var shown = previous ?? picture
                try take(&shown, emit)
            }
            previous = picture
        }

        /// Shows the last source frame until the output has all its frames.
        mutating func showLastToTheEnd(emit: (inout YUVPicture) throws -> Bool) throws {
            while wantsMore, var shown = previous {  // `emit` may leave another picture in its argument's place
                try take(&shown, emit)
            }
        }

        private mutating func take(_ picture: inout YUVPicture, _ emit: (inout YUVPicture) throws -> Bool) throws {
            if try emit(&picture) { next += 1 } else { stopped = true }
        }
    }
}
