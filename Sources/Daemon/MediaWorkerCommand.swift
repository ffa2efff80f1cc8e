import ArgumentParser
import Foundation
import Media

/// `media-worker`: runs one piece of media work on a possibly hostile file and prints a JSON answer.
/// The daemon starts it as a child under CPU and memory limits; people do not need to.
struct MediaWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media-worker", abstract: "Run media work in an isolated child process (internal).",
        shouldDisplay: false, subcommands: [Probe.self])

    struct Probe: ParsableCommand {
        @Option(help: "MediaLimits as JSON.") var limits: String
        @Argument(help: "The file to probe.") var path: String

        func run() throws {
            let limits = try JSONDecoder().decode(MediaLimits.self, from: Data(limits.utf8))
            let response: MediaWorkerResponse<ProbeResult>
            do {
                response = .init(result: try MediaProber(limits: limits).probe(path: path), error: nil)
            } catch {
                response = .init(result: nil, error: String(describing: error))
            }
            FileHandle.standardOutput.write(try JSONEncoder().encode(response))
        }
    }
}
