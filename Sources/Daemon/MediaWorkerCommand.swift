import ArgumentParser
import Foundation
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

    /// Every module's isolated tasks, by verb; the sandbox's probe only when the tests ask for it
    /// (`DRSOCIAL_SANDBOX_PROBES=1`, which the daemon never passes on by itself).
    static var registry: IsolatedTaskRegistry {
        var registry = IsolatedTaskRegistry()
        registry.register(ProbeTask.self)
        registry.register(ScenesTask.self)
        registry.register(KeyframesTask.self)
        registry.register(ReadTextTask.self)
        registry.register(TranscribeTask.self)
        registry.register(SpeechAudioTask.self)
        registry.register(ComposeTask.self)
        registry.register(ComposeTogetherTask.self)
        registry.register(MIMEParseTask.self)
        if ProcessInfo.processInfo.environment[SandboxProbeTask.environmentSwitch] == "1" {
            registry.register(SandboxProbeTask.self)
        }
        return registry
    }

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer task requests from standard input (length-prefixed JSON).")

        /// Serve without the sandbox (`MEDIA_SANDBOX=off` in the daemon).
        @Flag(name: .customLong("no-sandbox"), help: "Do not restrict network sockets and files.")
        var noSandbox = false

        /// Folders or files the child may read besides the system folders.
        @Option(name: .customLong("read"), help: "A folder or file the child may read (repeatable).")
        var readable: [String] = []

        /// Folders the child may read and write (default: the temporary folder).
        @Option(name: .customLong("write"), help: "A folder the child may read and write (repeatable).")
        var writable: [String] = []

        func run() throws {
            let sandbox = WorkerSandbox.Configuration(
                enabled: !noSandbox,
                readable: readable,
                writable: writable.isEmpty ? [WorkerSandbox.Configuration.temporaryFolder] : writable
            )
            MediaWorkerCommand.registry.serve(sandbox: sandbox)
        }
    }
}
