import ArgumentParser
import Contracts
import Domain
import Foundation
import Media
import Pipeline
import Reels
import Speech

/// `compose`: the compose stage's code from the terminal: stills (or a video), voice, music and subtitles
/// into one platform's reel, with a progress bar. Runs in this process.
struct ComposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Compose a reel from stills or a video with a reel template.",
        discussion: """
            Example: drsocial-intake compose --template tiktok --still a.jpg --still b.jpg --voice v.wav --music m.mp3 -o out.mp4
            Templates are pipelines/reels/*.yaml (PIPELINES_DIR sets the folder). Subtitles come from --subtitles
            (word timings as JSON), else from transcribing --voice offline, else from the narration.
            """
    )

    @Option(help: "The reel template (a file name in pipelines/reels without .yaml).")
    var template = "tiktok"
    @Option(name: .customLong("still"), help: "A picture, in order; repeat for each.")
    var stills: [String] = []
    @Option(help: "A raw video to cut for the template's platform (instead of stills).")
    var video: String?
    @Option(help: "A text card's line, shown on the brand colour when there are no stills and no video.")
    var card: String?
    @Option(help: "The voiceover (any audio file).")
    var voice: String?
    @Option(help: "The music bed (any audio file).")
    var music: String?
    @Option(help: "Word timings for subtitles: JSON {\"words\":[{\"word\",\"start\",\"end\"}]} or a transcript from `transcribe --json`.")
    var subtitles: String?
    @Flag(help: "Burn no subtitles.")
    var noSubtitles = false
    @Option(help: "Text to narrate with offline TTS when there is no voice (templates with narration: when_missing).")
    var narration: String?
    @Option(help: "The reel's length in seconds (default: the voice's, else the stills').")
    var seconds: Double?
    @Option(name: [.short, .customLong("output")], help: "Where the MP4 goes.")
    var output: String
    @Flag(help: "Print what was made as JSON.")
    var json = false
    @Flag(help: "No progress bar.")
    var noProgress = false
    @Flag(help: "Make the card one JPEG picture at the template's size (a feed post), not a reel.")
    var picture = false

    func validate() throws {
        if let card {
            guard !card.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("--card needs a line of text") }
            guard stills.isEmpty, video == nil else { throw ValidationError("--card is for a reel without stills or a video: drop --still and --video, or the card") }
        } else if picture {
            throw ValidationError("--picture makes a text card's picture: give the card's line with --card")
        }
    }

    func run() throws {
        let folder = try DaemonEnvironment().pipelinesDirectory
        let platforms = try PlatformPresets.load(from: folder.appending(path: "platforms.yaml"))
        let templates = try ReelTemplates.load(from: folder.appending(path: "reels"), platforms: platforms)
        guard let chosen = templates[template] else {
            throw ValidationError("no reel template '\(template)' (known: \(templates.templates.keys.sorted().joined(separator: ", ")))")
        }
        var words: [TimedWord]?
        if !noSubtitles {
            if let subtitles {
                words = try Self.readWords(subtitles)
            } else if let voice {
                do {
                    words = try OfflineTranscriber.transcribeHere(path: voice, limits: MediaLimits()).words
                        .map { TimedWord(word: $0.word, start: $0.start, end: $0.end) }
                } catch {
                    throw AnalyzeError(
                        description:
                            "the voice file '\(URL(filePath: voice).lastPathComponent)' cannot be transcribed for subtitles: \(error) (pass --subtitles or --no-subtitles)"
                    )
                }
            }
        }
        var job = ReelJob(
            template: chosen,
            platform: platforms[chosen.platform],
            stills: stills,
            video: video,
            voice: voice,
            music: music,
            words: noSubtitles ? [] : words,
            narration: narration,
            seconds: seconds,
            output: output
        )
        job.card = card.map { TextCard(text: $0) }
        job.picture = picture
        let bar = noProgress ? nil : ProgressBar(label: chosen.name)
        let reel: ComposedReel
        do {
            reel = try ReelComposer(job: job).compose { bar?.show($0) }
        } catch {
            bar?.clear()
            throw AnalyzeError(description: "\(error)")
        }
        bar?.finish()
        if json {
            try printJSON(reel)
            return
        }
        if reel.isPicture { return printPicture(reel) }
        print(
            String(
                format: "%@: %d×%d %d fps, %.2f s, %d frames, %.1f MB, %@ LUFS, composed in %.1f s",
                output,
                reel.width,
                reel.height,
                reel.fps,
                reel.seconds,
                reel.frames,
                Double(reel.fileBytes) / 1e6,
                reel.audio.integratedLUFS.map { String(format: "%.1f", $0) } ?? "silent",
                reel.elapsedSeconds
            )
        )
        for note in reel.notes { print("  note: \(note)") }
    }

    /// One line on a card picture: its size, bytes and time.
    func printPicture(_ reel: ComposedReel) {
        let kilobytes = Double(reel.fileBytes) / 1e3
        print(String(format: "%@: %d×%d JPEG card, %.1f kB, made in %.2f s", output, reel.width, reel.height, kilobytes, reel.elapsedSeconds))
    }

    /// Word timings from our JSON (`{"words": […]}`, a bare array, or a `transcribe --json` transcript).
    static func readWords(_ path: String) throws -> [TimedWord] {
        let data = try Data(contentsOf: URL(filePath: path))
        struct Wrapped: Decodable { let words: [TimedWord] }
        if let wrapped = try? JSONDecoder().decode(Wrapped.self, from: data) { return wrapped.words }
        if let bare = try? JSONDecoder().decode([TimedWord].self, from: data) { return bare }
        throw ValidationError("\(path) holds no word timings ({\"words\":[{\"word\":…,\"start\":…,\"end\":…}]})")
    }
}

/// A one-line progress bar on standard error.
final class ProgressBar {
    let label: String
    let started = Date()
    init(label: String) { self.label = label }

    func show(_ fraction: Double) {
        let width = 30
        let filled = Int((min(max(fraction, 0), 1) * Double(width)).rounded())
        let line = String(
            format: "\r%@ [%@%@] %3d%%  %.1f s",
            label,
            String(repeating: "#", count: filled),
            String(repeating: ".", count: width - filled),
            Int(fraction * 100),
            Date().timeIntervalSince(started)
        )
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        show(1)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    func clear() { FileHandle.standardError.write(Data("\n".utf8)) }
}
