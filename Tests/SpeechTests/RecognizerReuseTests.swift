import Contracts
import Domain
import Foundation
import Media
import TestSupport
import Testing

@testable import Isolation
@testable import Speech

/// A warm media child keeps one pocketsphinx decoder for every transcription it serves: what it hears must not
/// depend on what it heard before.
struct RecognizerReuseTests {
    @Test func aDecoderUsedBeforeHearsEachClipAsANewOneDoes() throws {
        let clips = try OfflineTranscriptionTests.clips.map {
            try AudioDecoder.decode(path: TestEnvironment.testmedia($0).path, limits: MediaLimits(), deadlineSeconds: 20)
        }
        let fresh = try clips.map { try PocketSphinxRecognizer().recognize($0).words }
        let reused = try PocketSphinxRecognizer()
        for (index, clip) in (clips.indices.reversed() + clips.indices).map({ ($0, clips[$0]) }) {
            let heard = try reused.recognize(clip).words
            #expect(heard == fresh[index], "\(OfflineTranscriptionTests.clips[index]): \(heard.map(\.word)) after other clips")
        }
    }
}

/// Children warmed up at the daemon's start hold the decoder before the first transcription.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.executable != nil)))
struct WarmChildrenTests {
    @Test func warmedChildrenServeTheFirstTranscription() async throws {
        let workers = IsolatedWorkers(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 120, maxIdleChildren: 2))
        #expect(try await workers.warmUp([TranscribeTask.self], children: 3) == 2, "no more than the pool keeps")
        let warm = workers.idleChildPIDs
        #expect(warm.count == 2 && workers.idleChildVerbs.allSatisfy { $0 == ["transcribe"] })
        let transcriber = OfflineTranscriber(worker: workers)
        let transcript = try await transcriber.transcribe(file: TestEnvironment.testmedia("speech1.wav"), maxDurationSeconds: 900)
        #expect(!transcript.words.isEmpty)
        #expect(Set(workers.idleChildPIDs) == Set(warm), "a warm child transcribed; none was started")
    }

    @Test func aVerbWithNothingToWarmUpIsAnErrorAnswer() throws {
        var registry = IsolatedTaskRegistry()
        registry.register(TranscribeTask.self)
        registry.register(SpeechAudioTask.self)
        let answer = registry.handle(WorkerRequest(verb: "warm-up", input: try JSONEncoder().encode(["speech-audio"]), cpuSeconds: 10))
        let said = String(decoding: answer, as: UTF8.self)
        #expect(said.contains("nothing to warm up") && said.contains("warmable: transcribe"), "\(said)")
    }
}
