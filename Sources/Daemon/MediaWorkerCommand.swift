import ArgumentParser
import Foundation
import Intake
import Media
import Reels
import Speech
import TextRecognition
import Workers

/// `media-worker`: runs one piece of media work on a possibly hostile file and prints a JSON answer.
/// The daemon starts it as a child under CPU and memory limits; people do not need to.
struct MediaWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-worker", abstract: "Run media work in an isolated child process (internal).",
        shouldDisplay: false, subcommands: [Probe.self, Scenes.self, Keyframes.self, ReadText.self, Transcribe.self, SpeechAudio.self, Compose.self, MIMECheck.self])

    /// Prints the work's result, or its error, as the JSON answer the daemon reads.
    static func answer<T: Codable>(_ work: () throws -> T) throws {
        let response: MediaWorkerResponse<T>
        do {
            response = .init(result: try work(), error: nil)
        } catch {
            response = .init(result: nil, error: String(describing: error))
        }
        FileHandle.standardOutput.write(try JSONEncoder().encode(response))
    }

    /// Parses an email with GMime so the daemon learns whether the library survives it (see `IsolatedMIMECheck`).
    struct MIMECheck: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mime-check")
        @Option(help: "MIMELimits as JSON.") var limits: String
        @Argument(help: "The raw message.") var path: String

        func run() throws {
            let limits = try JSONDecoder().decode(MIMELimits.self, from: Data(limits.utf8))
            let data = try Data(contentsOf: URL(filePath: path))
            // A message GMime refuses is still a survived check: the daemon reports why when it parses.
            try MediaWorkerCommand.answer { ChildProcessMIMECheck.Answer(parts: (try? MIMEParser.parse(data, limits: limits))?.partCount ?? 0) }
        }
    }

    struct Probe: ParsableCommand {
        @Option(help: "MediaLimits as JSON.") var limits: String
        @Argument(help: "The file to probe.") var path: String

        func run() throws {
            let limits = try JSONDecoder().decode(MediaLimits.self, from: Data(limits.utf8))
            try MediaWorkerCommand.answer { try MediaProber(limits: limits).probe(path: path) }
        }
    }

    struct Scenes: ParsableCommand {
        @Option(help: "SceneOptions as JSON.") var options: String
        @Argument(help: "The video to analyse.") var path: String

        func run() throws {
            let options = try JSONDecoder().decode(SceneOptions.self, from: Data(options.utf8))
            try MediaWorkerCommand.answer { try options.analyze(path: path) }
        }
    }

    struct Keyframes: ParsableCommand {
        @Option(help: "KeyframeOptions as JSON.") var options: String
        @Argument(help: "The video.") var path: String

        func run() throws {
            let options = try JSONDecoder().decode(KeyframeOptions.self, from: Data(options.utf8))
            try MediaWorkerCommand.answer { try options.extract(path: path) }
        }
    }

    struct ReadText: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ocr")
        @Option(help: "MediaLimits as JSON.") var limits: String
        @Argument(help: "The pictures to read.") var paths: [String]

        func run() throws {
            let limits = try JSONDecoder().decode(MediaLimits.self, from: Data(limits.utf8))
            try MediaWorkerCommand.answer { try TextRecognizer.readAll(paths: paths, limits: limits) }
        }
    }

    struct Transcribe: ParsableCommand {
        @Option(help: "MediaLimits as JSON.") var limits: String
        @Argument(help: "The audio or video.") var path: String

        func run() throws {
            let limits = try JSONDecoder().decode(MediaLimits.self, from: Data(limits.utf8))
            try MediaWorkerCommand.answer { try OfflineTranscriber.transcribeHere(path: path, limits: limits) }
        }
    }

    struct SpeechAudio: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "speech-audio")
        @Option(help: "MediaLimits as JSON.") var limits: String
        @Option(help: "Where to write the 16 kHz mono WAV.") var output: String
        @Argument(help: "The audio or video.") var path: String

        func run() throws {
            let limits = try JSONDecoder().decode(MediaLimits.self, from: Data(limits.utf8))
            try MediaWorkerCommand.answer { try MediaWorkerClient.writeSpeechAudio(path: path, to: output, limits: limits) }
        }
    }

    struct Compose: ParsableCommand {
        @Option(help: "A ReelJob as a JSON file.") var job: String

        func run() throws {
            let job = try JSONDecoder().decode(ReelJob.self, from: Data(contentsOf: URL(filePath: job)))
            try MediaWorkerCommand.answer { try ReelComposer(job: job).compose() }
        }
    }
}
