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

    /// Decodes the video and emits `frames` output frames: each shows the latest source frame at or before
    /// its time (frame-rate conversion by repetition and dropping), cropped to fill or fitted over a blurred copy.
    /// `emit` may replace the picture it is given: each call gets a copy.
    static func render(path: String, job: ReelJob, frames: Int, emit: (inout YUVPicture) throws -> Void) throws {
        let template = job.template
        let name = job.displayName(path)
        let reader: VideoPictureReader
        do {
            reader = try VideoPictureReader(path: path, limits: job.limits, deadlineSeconds: job.limits.maxDurationSeconds)
        } catch {
            throw ReelError("the video '\(name)' cannot be decoded: \(error)")
        }
        let width = template.width
        let height = template.height
        let sourceWidth = reader.sourceWidth
        let sourceHeight = reader.sourceHeight
        let aspect = Double(width) / Double(height)
        var coverWidth = Double(sourceWidth)
        var coverHeight = Double(sourceHeight)
        if coverWidth / coverHeight > aspect { coverWidth = coverHeight * aspect } else { coverHeight = coverWidth / aspect }
        let cover = PixelRect(
            x: Int((Double(sourceWidth) - coverWidth) / 2),
            y: Int((Double(sourceHeight) - coverHeight) / 2),
            width: Int(coverWidth),
            height: Int(coverHeight)
        )
        let fit = min(Double(width) / Double(sourceWidth), Double(height) / Double(sourceHeight))
        let fitWidth = max(2, Int(Double(sourceWidth) * fit) & ~1)
        let fitHeight = max(2, Int(Double(sourceHeight) * fit) & ~1)
        let whole = PixelRect(x: 0, y: 0, width: sourceWidth, height: sourceHeight)

        var previous: YUVPicture?
        var firstTime: Double?
        var next = 0
        do {
            try reader.forEachFrame { frame in
                let time = frame.seconds - (firstTime ?? frame.seconds)
                if firstTime == nil { firstTime = frame.seconds }
                var picture: YUVPicture
                switch template.reframe {
                case .crop:
                    picture = try frame.picture(crop: cover, width: width, height: height)
                case .blur:
                    let backdrop = try frame.picture(crop: cover, width: max(2, (width / 4) & ~1), height: max(2, (height / 4) & ~1))
                    picture = PictureResampler.blurredFill(backdrop, width: width, height: height)
                    let fitted = try frame.picture(crop: whole, width: fitWidth, height: fitHeight)
                    PictureResampler.paste(fitted, into: &picture, x: ((width - fitWidth) / 2) & ~1, y: ((height - fitHeight) / 2) & ~1)
                }
                // Output frames before this source frame's time show the previous one.
                while next < frames, Double(next) / Double(template.fps) < time - 1e-6 {
                    var shown = previous ?? picture
                    try emit(&shown)
                    next += 1
                }
                previous = picture
                return next < frames
            }
        } catch let error as ReelError {
            throw error
        } catch {
            throw ReelError("decoding the video '\(name)' failed: \(error)")
        }
        guard let last = previous else { throw ReelError("the video '\(name)' holds no decodable frame") }
        while next < frames {
            var shown = last  // `emit` may leave another picture in its argument's place
            try emit(&shown)
            next += 1
        }
    }
}
