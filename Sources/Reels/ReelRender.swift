import Contracts
import Domain
import Foundation
import Media
import Pipeline

/// One reel being made: its sound decoded and mixed, its length and subtitles settled, its stills prepared and
/// its encoder open. Frames come from `drawOwnFrames` (its stills, its card or its own cut of the video) or
/// from a video decode it shares with other renders of the same source (`ReelComposer.composeTogether`);
/// each goes through `subtitle` on the drawing thread and `encode` on the encoding thread; `finish` closes
/// the file and probes it back.
final class ReelRender {
    let job: ReelJob
    let frames: Int
    let seconds: Double
    private let started: ContinuousClock.Instant
    private let writer: MP4Writer
    private let soundtrack: StereoAudio
    private let mixReport: MixReport
    private let lines: [SubtitleLine]
    private let subtitles: SubtitleRenderer?
    private let card: SubtitleRenderer?
    private let stills: [PreparedStill]
    private let stillCount: Int
    private let narrated: Bool
    private let cappedAt: Double?
    private var notes: [String]
    private var drawn = 0
    private var written = 0

    /// Everything before the first frame; throws the reason this job cannot be composed (a still or a voice
    /// that will not decode, a video without pictures, an output that cannot be opened).
    init(job: ReelJob, started: ContinuousClock.Instant) throws {
        self.job = job
        self.started = started
        let template = job.template
        var notes: [String] = []
        // The stills decode and scale on other threads while the sound is prepared on this one.
        let stillLoading = job.video == nil ? StillLoading(job: job) : nil

        // Sound first: the voice sets the length of a slideshow.
        var voice: StereoAudio?
        var words = job.words ?? []
        var narrated = false
        if let path = job.voice {
            voice = try Self.decodeAudio(path, role: "voice", job: job)
        } else if job.video == nil, template.narration == .whenMissing, let text = job.narration,
            !text.trimmingCharacters(in: .whitespaces).isEmpty
        {
            let spoken = try Narrator.speak(text)
            voice = spoken.audio
            if job.words == nil { words = spoken.words }
            narrated = true
        }
        let music = try job.music.map {
            $0 == MusicBed.builtin ? MusicBed.synthesize(sampleRate: AudioMixer.sampleRate) : try Self.decodeAudio($0, role: "music", job: job)
        }

        let reel: (frames: Int, stills: Int, audio: StereoAudio?)
        var planned: Double
        var cappedAt: Double?
        if let video = job.video {
            let plan = try VideoCutPlan(path: video, job: job)
            planned = plan.seconds
            cappedAt = plan.cappedAt
            notes += plan.notes
            reel = (Int((planned * Double(template.fps)).rounded()), 0, plan.audio)
        } else {
            let count = job.stills.count
            let natural = Double(max(count, 1)) * template.stillSeconds - Double(max(count, 1) - 1) * template.transitionSeconds
            planned = job.seconds ?? voice.map { $0.durationSeconds + 0.6 } ?? natural
            if planned > template.maxSeconds {
                notes.append("shortened from \(String(format: "%.1f", planned)) s to the template's \(Int(template.maxSeconds)) s")
                planned = template.maxSeconds
                cappedAt = template.maxSeconds
            }
            planned = max(planned, 1)
            reel = (Int((planned * Double(template.fps)).rounded()), count, nil)
        }
        frames = max(1, reel.frames)
        seconds = Double(frames) / Double(template.fps)
        let length = seconds

        // The video's own sound plays the voice's part (music ducks under it).
        (soundtrack, mixReport) = AudioMixer.mix(voice: reel.audio ?? voice, music: music, seconds: length, template: template)
        lines = SubtitleLines.make(from: words, maxChars: template.subtitles.maxChars, until: length)
        stills = try stillLoading?.wait() ?? []
        subtitles = lines.isEmpty ? nil : try SubtitleRenderer(lines: lines, template: template, safeArea: job.platform.safeArea)
        card =
            try job.stills.isEmpty
            ? job.card.map { try SubtitleRenderer(card: $0, seconds: length, template: template, safeArea: job.platform.safeArea) } : nil
        stillCount = reel.stills
        self.narrated = narrated
        self.cappedAt = cappedAt
        self.notes = notes

        try? FileManager.default.removeItem(at: URL(filePath: job.output))
        writer = try MP4Writer(
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
    }

    /// Burns the subtitles due at the next frame into `picture` (on the drawing thread, in frame order).
    func subtitle(_ picture: inout YUVPicture) {
        subtitles?.burn(into: &picture, at: Double(drawn) / Double(job.template.fps))
        drawn += 1
    }

    /// Draws every frame of this reel from its own inputs, subtitled, into `push`.
    func drawOwnFrames(_ push: (inout YUVPicture) throws -> Void) throws {
        try draw { picture in
            subtitle(&picture)
            try push(&picture)
        }
    }

    private func draw(emit: (inout YUVPicture) throws -> Void) throws {
        if let video = job.video {
            try VideoCutPlan.render(path: video, outputs: [.init(job: job, frames: frames)]) { _, picture in
                try emit(&picture)
                return true
            }
        } else if let card, let text = job.card {
            try renderCard(card, background: text.background, emit: emit)
        } else {
            try renderStills(emit: emit)
        }
    }

    /// Encodes the next frame and the sound that plays under it (on the encoding thread, in frame order);
    /// returns the share of the reel done.
    @discardableResult
    func encode(_ picture: YUVPicture) throws -> Double {
        let samplesPerFrame = Double(AudioMixer.sampleRate) / Double(job.template.fps)
        try writer.append(picture)
        let from = Int((Double(written) * samplesPerFrame).rounded())
        written += 1
        let to = min(soundtrack.count, Int((Double(written) * samplesPerFrame).rounded()))
        if to > from { try writer.append(left: soundtrack.left[from..<to], right: soundtrack.right[from..<to]) }
        return Double(written) / Double(frames)
    }

    /// Adds a line for the run page (what the render shared, …).
    func note(_ line: String) { notes.append(line) }

    /// Flushes the encoders and writes the index, then probes the file back against its template and platform.
    func finish() throws -> ComposedReel {
        do {
            try writer.finish()
        } catch {
            abandon()
            throw error
        }
        let template = job.template
        let bytes = try ReelVerifier.verify(file: URL(filePath: job.output), template: template, platform: job.platform, seconds: seconds)
        return ComposedReel(
            template: template.name,
            platform: template.platform.rawValue,
            source: job.video != nil ? "video" : job.stills.isEmpty ? "text card" : "stills",
            width: template.width,
            height: template.height,
            fps: template.fps,
            frames: written,
            seconds: seconds,
            stills: stillCount,
            narrated: narrated,
            subtitles: lines,
            audio: mixReport,
            fileBytes: bytes,
            elapsedSeconds: (ContinuousClock.now - started).seconds,
            notes: notes,
            cappedAt: cappedAt
        )
    }

    /// Removes the unfinished file (after a failure).
    func abandon() {
        try? FileManager.default.removeItem(at: URL(filePath: job.output))
    }

    /// Decodes an audio file to 48 kHz stereo, or says which file could not be read and why.
    private static func decodeAudio(_ path: String, role: String, job: ReelJob) throws -> StereoAudio {
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
    private func renderCard(_ card: SubtitleRenderer, background: String, emit: (inout YUVPicture) throws -> Void) throws {
        let template = job.template
        var plain = ReelComposer.cardBackground(background, width: template.width, height: template.height)
        card.burn(into: &plain, at: 0)
        var picture = plain
        for _ in 0..<frames {
            picture = plain
            try emit(&picture)
        }
    }

    /// The slideshow: still `k` is on screen from `k·(S−T)` for `S` seconds, crossfading over the last `T`.
    /// Every frame is drawn whole, so `emit` may hand back a used picture to draw the next one into.
    private func renderStills(emit: (inout YUVPicture) throws -> Void) throws {
        let template = job.template
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
