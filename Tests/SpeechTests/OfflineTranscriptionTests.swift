import Contracts
import Domain
import Foundation
import Isolation
import Media
import TestSupport
import Testing

@testable import Speech

/// pocketsphinx on the flite clips, scored by word error rate against `testmedia/truth.json`.
struct OfflineTranscriptionTests {
    static let clips = ["speech1.wav", "speech2.wav", "speech3.wav", "voice-memo.m4a"]
    nonisolated(unsafe) static let truth: [String: [String: Any]] = {
        let data = try! Data(contentsOf: TestEnvironment.testmedia("truth.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
    }()

    @Test func wordErrorRateOnTheFliteClipsIsAtMostThirtyPercent() throws {
        var errors = 0.0
        var words = 0.0
        for clip in Self.clips {
            let expected = Self.truth[clip]!["transcript"] as! String
            let transcript = try OfflineTranscriber.transcribeHere(path: TestEnvironment.testmedia(clip).path, limits: MediaLimits())
            let rate = TextAccuracy.wordErrorRate(found: transcript.text, truth: expected)
            let count = Double(expected.split(separator: " ").count)
            errors += rate * count
            words += count
            print("WER \(clip): \(String(format: "%.2f", rate)) heard '\(transcript.text)'")
            #expect(rate <= 0.5, "\(clip): heard '\(transcript.text)'")
            // Word timings are ordered and inside the audio.
            let duration = try #require(transcript.durationSeconds)
            #expect(zip(transcript.words, transcript.words.dropFirst()).allSatisfy { $0.end <= $1.start + 0.01 })
            #expect(transcript.words.allSatisfy { $0.start >= 0 && $0.end <= duration + 0.05 && $0.start < $0.end })
        }
        #expect(errors / words <= 0.30, "overall WER \(errors / words)")
    }

    @Test func audioIsResampledTo16kHzMono() throws {
        let audio = try AudioDecoder.decode(path: TestEnvironment.testmedia("short.mp4").path, limits: MediaLimits(), deadlineSeconds: 20)
        #expect(audio.sampleRate == 16_000)
        #expect(abs(audio.durationSeconds - 4.0) < 0.05, "\(audio.durationSeconds)")
        // A 440 Hz sine: about 2 × 440 zero crossings a second.
        let crossings = zip(audio.samples, audio.samples.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count
        #expect(abs(Double(crossings) / audio.durationSeconds - 880) < 20, "\(crossings) crossings")
        let wav = audio.wavData()
        #expect(wav.count == 44 + 2 * audio.samples.count && wav.prefix(4) == Data("RIFF".utf8))
    }

    @Test func aFileWithoutSoundIsAClearError() throws {
        #expect(throws: (any Error).self) {
            try OfflineTranscriber.transcribeHere(path: TestEnvironment.testmedia("cuts-720p.mp4").path, limits: MediaLimits())
        }
    }

    @Test func longAudioIsSplitAtQuietMoments() {
        // 50 s of loud noise with a silent 100 ms every 4 s.
        var samples = (0..<(50 * 16_000)).map { Int16(truncatingIfNeeded: ($0 &* 7919) % 20_000 - 10_000) }
        for second in stride(from: 4, to: 50, by: 4) { for i in 0..<1600 { samples[second * 16_000 + i] = 0 } }
        let ranges = PocketSphinxRecognizer.utterances(samples, sampleRate: 16_000)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == samples.count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(ranges.allSatisfy { $0.count <= 20 * 16_000 })
        for cut in ranges.dropLast().map(\.upperBound) { #expect(samples[cut] == 0, "cut at \(cut) is in a quiet moment") }
    }
}

/// Transcription refuses hostile files in the worker with a clear message.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.executable != nil)))
struct HostileSpeechTests {
    @Test(arguments: [
        "truncated.mp4", "hostile/zero.mp4", "hostile/random.mp4", "hostile/hls-file.mp4", "hostile/hls-http.mp4", "hostile/long-duration.mp4",
    ])
    func hostileFilesFailClearly(name: String) async throws {
        let transcriber = OfflineTranscriber(worker: MediaWorkerClient(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 30)))
        do {
            _ = try await transcriber.transcribe(file: TestEnvironment.testmedia(name), maxDurationSeconds: 900)
            Issue.record("\(name) was transcribed")
        } catch let error as MediaWorkerError {
            #expect(!error.description.contains("crashed") && error.description.count > 10, "\(name): \(error)")
        }
    }
}
