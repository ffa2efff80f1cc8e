import ArgumentParser
import Contracts
import Domain
import Foundation
import Media
import Speech

/// `transcribe`: the speech in a local audio or video file, with the offline engine. Runs in this process.
struct TranscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Transcribe a local audio or video file offline (pocketsphinx).",
        discussion: "Example: drsocial-intake transcribe memo.m4a --json"
    )

    @Argument(help: "The audio or video file.")
    var path: String

    @Flag(help: "Print the transcript, with word timings, as JSON.")
    var json = false

    func run() throws {
        let transcript: Transcript
        do {
            transcript = try OfflineTranscriber.transcribeHere(path: path, limits: MediaLimits())
        } catch {
            throw AnalyzeError(description: "\(path): \(error)")
        }
        if json {
            try printJSON(transcript)
            return
        }
        print(transcript.text)
        for word in transcript.words { print(String(format: "  %6.2f–%6.2f  %@", word.start, word.end, word.word)) }
    }
}
