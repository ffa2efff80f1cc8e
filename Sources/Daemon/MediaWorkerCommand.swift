import ArgumentParser
import Intake
import Isolation
import Media
import Reels
import Speech
import TextRecognition

/// `media-worker serve`: a child of the daemon that runs isolated tasks (media analysis, OCR, transcription,
/// composition, email parsing) one after another, answering each on standard output, until its standard input
/// closes. The daemon starts it under CPU and memory limits with a scrubbed environment; people do not need to.
struct MediaWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-worker",
        abstract: "Serve isolated tasks to the daemon (internal).",
        shouldDisplay: false,
        subcommands: [Serve.self]
    )

    /// Every module's isolated tasks, by verb.
    static var registry: IsolatedTaskRegistry {
        var registry = IsolatedTaskRegistry()
        registry.register(ProbeTask.self)
        registry.register(ScenesTask.self)
        registry.register(KeyframesTask.self)
        registry.register(ReadTextTask.self)
        registry.register(TranscribeTask.self)
        registry.register(SpeechAudioTask.self)
        registry.register(ComposeTask.self)
        registry.register(MIMEParseTask.self)
        return registry
    }

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer task requests from standard input (length-prefixed JSON).")

        func run() throws {
            MediaWorkerCommand.registry.serve()
        }
    }
}
