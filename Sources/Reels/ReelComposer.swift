public import Contracts
import Domain
import Foundation
import Media
import Pipeline

/// Composes one reel for one template: stills with Ken Burns moves and crossfades, or a raw video reframed
/// and trimmed for the platform; the voice and music mixed, ducked and normalised; subtitles burned in;
/// H.264 + AAC in a faststart MP4; then the file is probed back (`ReelVerifier`) before anyone sees it.
public struct ReelComposer: Sendable {
    public let job: ReelJob

    public init(job: ReelJob) {
        self.job = job
    }

    /// Composes `job.output`; `progress` hears the share done (0…1) now and then.
    public func compose(progress: ((Double) -> Void)? = nil) throws -> ComposedReel {
        let started = ContinuousClock.now
        let template = job.template
        guard !job.stills.isEmpty || job.video != nil || job.card != nil else {
            throw ReelError("there is nothing to compose: no stills, no video and no text card")
        }
        if job.picture, job.stills.isEmpty, job.video == nil, let card = job.card {
            return try composePicture(card, started: started)
        }
        var notes: [String] = []
        // The stills decode and scale on other threads while the sound is prepared on this one.
        let stillLoading = job.video == nil ? StillLoading(job: job) : nil

        // Sound first: the voice sets the length of a slideshow.
        var voice: StereoAudio?
        var words = job.words ?? []
        var narrated = false
        if let path = job.voice {
            voice = try decodeAudio(path, role: "voice")
        } else if job.video == nil, template.narration == .whenMissing, let text = job.narration,
            !text.trimmingCharacters(in: .whitespaces).isEmpty
        {
            let spoken = try Narrator.speak(text)
            voice = spoken.audio
            if job.words == nil { words = spoken.words }
            narrated = true
        }
        let music = try job.music.map { $0 == MusicBed.builtin ? MusicBed.synthesize(sampleRate: AudioMixer.sampleRate) : try decodeAudio($0, role: "music") }

        let reel: (frames: Int, stills: Int, audio: StereoAudio?)
        var seconds: Double
        var cappedAt: Double?
        if let video = job.video {
            let plan = try VideoCutPlan(path: video, job: job)
            seconds = plan.seconds
            cappedAt = plan.cappedAt
            notes += plan.notes
            reel = (Int((seconds * Double(template.fps)).rounded()), 0, plan.audio)
        } else {
            let count = job.stills.count
            let natural = Double(max(count, 1)) * template.stillSeconds - Double(max(count, 1) - 1) * template.transitionSeconds
            seconds = job.seconds ?? voice.map { $0.durationSeconds + 0.6 } ?? natural
            if seconds > template.maxSeconds {
                notes.append("shortened from \(String(format: "%.1f", seconds)) s to the template's \(Int(template.maxSeconds)) s")
                seconds = template.maxSeconds
                cappedAt = template.maxSeconds
            }
            seconds = max(seconds, 1)
            reel = (Int((seconds * Double(template.fps)).rounded()), count, nil)
        }
        let frames = max(1, reel.frames)
        seconds = Double(frames) / Double(template.fps)

        // The video's own sound plays the voice's part (music ducks under it).
        let (soundtrack, mixReport) = AudioMixer.mix(voice: reel.audio ?? voice, music: music, seconds: seconds, template: template)
        let lines = SubtitleLines.make(from: words, maxChars: template.subtitles.maxChars, until: seconds)
        let stills = try stillLoading?.wait() ?? []
        let subtitles = lines.isEmpty ? nil : try SubtitleRenderer(lines: lines, template: template, safeArea: job.platform.safeArea)
        let card = try job.stills.isEmpty ? job.card.map { try SubtitleRenderer(card: $0, seconds: seconds, template: template, safeArea: job.platform.safeArea) } : nil

        let output = URL(filePath: job.output)
        try? FileManager.default.removeItem(at: output)
        let writer = try MP4Writer(
            path: job.output,
            width: template.width,
            height: template.height,
            framesPerSecond: template.fps,
            settings: EncoderSettings(
                preset: template.encoder.preset,
                crf: template.encoder.crf,
                maxBitrateKbps: template.encoder.maxBitrateKbps,
                audioBitrateKbps: template.encoder.audioBitrateKbps,
                audioSampleRate: AudioMixer.sampleRate
            )
        )
        var written = 0
        let samplesPerFrame = Double(AudioMixer.sampleRate) / Double(template.fps)
        do {
            // Frames are drawn (and subtitled) on a second thread while this one encodes them.
            try FramePipe.run { push in
                var drawn = 0
                let emit: (inout YUVPicture) throws -> Void = { picture in
                    subtitles?.burn(into: &picture, at: Double(drawn) / Double(template.fps))
                    drawn += 1
                    try push(&picture)
                }
                if let video = job.video {
                    try VideoCutPlan.render(path: video, job: job, frames: frames, emit: emit)
                } else if let card, let text = job.card {
                    try renderCard(card, background: text.background, frames: frames, emit: emit)
                } else {
                    try renderStills(stills, frames: frames, emit: emit)
                }
            } consume: { picture in
                try writer.append(picture)
                let from = Int((Double(written) * samplesPerFrame).rounded())
                written += 1
                let to = min(soundtrack.count, Int((Double(written) * samplesPerFrame).rounded()))
                if to > from { try writer.append(left: soundtrack.left[from..<to], right: soundtrack.right[from..<to]) }
                if written % 15 == 0 { progress?(Double(written) / Double(frames)) }
            }
            try writer.finish()
        } catch {
            try? FileManager.default.removeItem(at: output)
            throw error
        }
        progress?(1)
        let bytes = try ReelVerifier.verify(file: output, template: template, platform: job.platform, seconds: seconds)
        return ComposedReel(
            template: template.name,
            platform: template.platform.rawValue,
            source: job.video != nil ? "video" : job.stills.isEmpty ? "text card" : "stills",
            width: template.width,
            height: template.height,
            fps: template.fps,
            frames: written,
            seconds: seconds,
            stills: reel.stills,
            narrated: narrated,
            subtitles: lines,
            audio: mixReport,
            fileBytes: bytes,
            elapsedSeconds: (ContinuousClock.now - started).seconds,
            notes: notes,
            cappedAt: cappedAt
        )
    }

    /// Decodes an audio file to 48 kHz stereo, or says which file could not be read and why.
    private func decodeAudio(_ path: String, role: String) throws -> StereoAudio {
        do {
            return try AudioDecoder.decodeStereo(
                path: path,
                sampleRate: AudioMixer.sampleRate,
                limits: job.limits,
                deadlineSeconds: job.limits.maxDurationSeconds
            )
        } catch {
            throw ReelError("the \(role) file '\(job.displayName(path))' cannot be used: \(error)")
        }
    }

    /// The text card: the key line on the brand colour, every frame the same picture under the subtitles.
    private func renderCard(_ card: SubtitleRenderer, background: String, frames: Int, emit: (inout YUVPicture) throws -> Void) throws {
        let template = job.template
        var plain = Self.cardBackground(background, width: template.width, height: template.height)
        card.burn(into: &plain, at: 0)
        var picture = plain
        for _ in 0..<frames {
            picture = plain
            try emit(&picture)
        }
    }

    /// The slideshow: still `k` is on screen from `k·(S−T)` for `S` seconds, crossfading over the last `T`.
    /// Every frame is drawn whole, so `emit` may hand back a used picture to draw the next one into.
    private func renderStills(_ stills: [PreparedStill], frames: Int, emit: (inout YUVPicture) throws -> Void) throws {
        let template = job.template
        let seconds = Double(frames) / Double(template.fps)
        let count = Double(stills.count)
        let transition = stills.count > 1 ? min(template.transitionSeconds, seconds / count / 2) : 0
        let slot = (seconds + (count - 1) * transition) / count
        var picture = YUVPicture(width: template.width, height: template.height)
        var incoming = YUVPicture(width: template.width, height: template.height)
        for frame in 0..<frames {
            // Frame centres, so the first and last frames sit inside the move.
            let time = (Double(frame) + 0.5) / Double(template.fps)
            let index = min(stills.count - 1, Int(time / (slot - transition)))
            let start = Double(index) * (slot - transition)
            if index > 0, transition > 0, time - start < transition {
                // Still `index` fades in over the end of the one before it.
                let previousStart = Double(index - 1) * (slot - transition)
                stills[index - 1].render(at: (time - previousStart) / slot, into: &picture)
                stills[index].render(at: (time - start) / slot, into: &incoming)
                PictureResampler.crossfade(&picture, with: incoming, amount: (time - start) / transition)
            } else {
                stills[index].render(at: (time - start) / slot, into: &picture)
            }
            try emit(&picture)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
