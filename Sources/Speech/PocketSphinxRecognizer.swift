import CPocketSphinx
public import Contracts
import Domain
import Foundation
public import Isolation
public import Media

/// Offline speech recognition with pocketsphinx and Debian's US English model (`pocketsphinx-en-us`).
/// The one owner of a `ps_decoder_t`; confined to the calling thread. Runs in the media worker.
public final class PocketSphinxRecognizer {
    /// Where Debian puts the model.
    public static let modelDirectory = "/usr/share/pocketsphinx/model/en-us"
    /// Longest utterance handed to the decoder at once; longer audio is split at its quietest moment.
    static let utteranceSeconds = 20.0
    /// At most this many HMMs stay active in a frame (pocketsphinx's `-maxhmmpf`; its default is 30,000, and its
    /// tuning notes suggest 3,000 for speed). Measured on the flite clips in `testmedia/` and `bench/request`'s
    /// 8.3 s memo: the engine's time fell by 28 % overall and by 40 % on the memo, and the word error rate went
    /// from 22.5 % to 17.5 % over the 40 words (`docs/benchmarks.md`, 2026-12-05); 1,000 cost accuracy (25 %).
    static let activeHMMsPerFrame = 3_000
    /// pocketsphinx's default: 100 feature frames a second.
    static let framesPerSecond = 100.0

    /// The decoder this process keeps between transcriptions (a warm media child loads the model once).
    /// `recognize` starts a new stream each time, so a reused decoder hears a clip as a new one does.
    public static let reused = ReusedEngines { try PocketSphinxRecognizer() }

    private let decoder: OpaquePointer
    /// The configuration's strings: sphinxbase keeps pointers to them for the decoder's whole life.
    private let arguments: [UnsafeMutablePointer<CChar>?]

    public init(modelDirectory: String = PocketSphinxRecognizer.modelDirectory) throws {
        let files = ["en-us", "en-us.lm.bin", "cmudict-en-us.dict"].map { "\(modelDirectory)/\($0)" }
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw TranscriptionError("the pocketsphinx model is missing (\(file)); install pocketsphinx-en-us")
        }
        _ = Self.quiet
        // argv[0] is the program name, skipped by the parser.
        let argv: [String] = ["drsocial-intake", "-hmm", files[0], "-lm", files[1], "-dict", files[2], "-logfn", "/dev/null", "-maxhmmpf", String(Self.activeHMMsPerFrame)]
        var cStrings = argv.map { strdup($0) }
        guard let config = drsocial_ps_config(Int32(cStrings.count), &cStrings) else {
            cStrings.forEach { free($0) }
            throw TranscriptionError("pocketsphinx refused its configuration")
        }
        guard let decoder = ps_init(config) else {
            cmd_ln_free_r(config)
            cStrings.forEach { free($0) }
            throw TranscriptionError("pocketsphinx could not load its model")
        }
        cmd_ln_free_r(config)  // the decoder keeps its own reference
        self.decoder = decoder
        self.arguments = cStrings
    }

    /// pocketsphinx logs through one process-wide file pointer: silence it once.
    private static let quiet: Void = drsocial_ps_quiet()

    deinit {
        ps_free(decoder)  // frees the configuration too, which points into `arguments`
        arguments.forEach { free($0) }
    }

    /// Recognises 16 kHz mono audio.
    public func recognize(_ audio: PCMAudio) throws -> Transcript {
        guard audio.sampleRate == 16_000 else { throw TranscriptionError("pocketsphinx needs 16 kHz audio") }
        let started = ContinuousClock.now
        // A new stream: without it, a decoder used before carries its noise estimate and frame count over, and
        // hears the next clip differently (RecognizerReuseTests).
        guard ps_start_stream(decoder) == 0 else { throw TranscriptionError("pocketsphinx could not start a stream") }
        var words: [Transcript.Word] = []
        for range in Self.utterances(audio.samples, sampleRate: audio.sampleRate) {
            let offset = Double(range.lowerBound) / Double(audio.sampleRate)
            guard ps_start_utt(decoder) == 0 else { throw TranscriptionError("pocketsphinx could not start an utterance") }
            try audio.samples[range].withUnsafeBufferPointer { samples in
                guard ps_process_raw(decoder, samples.baseAddress, samples.count, 0, 1) >= 0 else {
                    throw TranscriptionError("pocketsphinx failed on the audio")
                }
            }
            guard ps_end_utt(decoder) == 0 else { throw TranscriptionError("pocketsphinx could not end an utterance") }
            var segment = ps_seg_iter(decoder)
            while let current = segment {
                if let raw = ps_seg_word(current), let word = Self.spoken(String(cString: raw)) {
                    var first: Int32 = 0
                    var last: Int32 = 0
                    ps_seg_frames(current, &first, &last)
                    words.append(
                        Transcript.Word(
                            word: word,
                            start: offset + Double(first) / Self.framesPerSecond,
                            end: offset + Double(last + 1) / Self.framesPerSecond
                        )
                    )
                }
                segment = ps_seg_next(current)
            }
        }
        let elapsed = ContinuousClock.now - started
        return Transcript(
            engine: "pocketsphinx",
            text: words.map(\.word).joined(separator: " "),
            words: words,
            durationSeconds: audio.durationSeconds,
            elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        )
    }

    /// A dictionary word as spoken text: fillers and silences dropped, alternate pronunciations `(2)` unmarked.
    static func spoken(_ token: String) -> String? {
        guard !token.hasPrefix("<"), !token.hasPrefix("[") else { return nil }
        if let paren = token.firstIndex(of: "(") { return String(token[..<paren]) }
        return token
    }

    /// Splits audio into utterances of at most `utteranceSeconds`, each cut at the quietest 100 ms of its
    /// last quarter, so a word is rarely split.
    static func utterances(_ samples: [Int16], sampleRate: Int) -> [Range<Int>] {
        let longest = Int(utteranceSeconds * Double(sampleRate))
        let window = sampleRate / 10
        var ranges: [Range<Int>] = []
        var start = 0
        while samples.count - start > longest {
            let searchFrom = start + longest * 3 / 4
            let searchTo = start + longest - window
            var quietest = searchTo
            var lowest = Int.max
            var position = searchFrom
            while position <= searchTo {
                var energy = 0
                for index in position..<(position + window) { energy += abs(Int(samples[index])) }
                if energy < lowest {
                    lowest = energy
                    quietest = position + window / 2
                }
                position += window / 2
            }
            ranges.append(start..<quietest)
            start = quietest
        }
        if start < samples.count { ranges.append(start..<samples.count) }
        return ranges
    }
}
