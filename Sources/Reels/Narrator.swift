import CFlite
public import Domain
import Foundation
public import Media
import NIOConcurrencyHelpers

/// Offline text-to-speech with flite's `slt` voice (the one pocketsphinx understands best here), for
/// templates that narrate the prompt when a request has no voice. Word timings come from flite's own
/// segment times, so the narration gets subtitles like a transcribed voice.
public enum Narrator {
    /// flite keeps global state; its voice is registered once and synthesis is serialised.
    private static let voice = NIOLockedValueBox<Voice?>(nil)

    /// flite's registered voice; only touched under the lock above.
    private struct Voice: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    public static func speak(_ text: String) throws -> (audio: StereoAudio, words: [TimedWord]) {
        let cleaned = text.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || " .,!?'-0123456789".unicodeScalars.contains($0)) }
        let script = String(String.UnicodeScalarView(cleaned)).trimmingCharacters(in: .whitespaces)
        guard !script.isEmpty else { throw ReelError("there is no text to narrate") }
        return try voice.withLockedValue { registered in
            if registered == nil {
                flite_init()
                registered = register_cmu_us_slt(nil).map { Voice(pointer: OpaquePointer($0)) }
            }
            guard let registered else { throw ReelError("flite's voice could not be loaded") }
            guard let utterance = drsocial_flite_speak(script, UnsafeMutablePointer(registered.pointer)) else {
                throw ReelError("flite could not speak the narration")
            }
            defer { delete_utterance(utterance) }
            guard let wave = utt_wave(utterance), wave.pointee.num_samples > 0 else { throw ReelError("flite produced no audio") }
            let count = Int(wave.pointee.num_samples)
            let channels = max(1, Int(wave.pointee.num_channels))
            var mono = [Float](repeating: 0, count: count)
            for index in 0..<count { mono[index] = Float(wave.pointee.samples[index * channels]) / 32_768 }
            let rate = Int(wave.pointee.sample_rate)
            var words: [TimedWord] = []
            var item = drsocial_flite_first_word(utterance)
            while let current = item {
                if let name = item_feat_string(current, "name") {
                    let start = Double(drsocial_flite_word_start(current))
                    let end = Double(drsocial_flite_word_end(current))
                    if end > start { words.append(TimedWord(word: String(cString: name), start: start, end: end)) }
                }
                item = item_next(current)
            }
            let audio = resampled(mono, from: rate, to: AudioMixer.sampleRate)
            return (StereoAudio(sampleRate: AudioMixer.sampleRate, left: audio, right: audio), words)
        }
    }

    /// Linear-interpolation resampling (speech at 16 kHz up to 48 kHz: an integer ratio, no aliasing issue).
    static func resampled(_ samples: [Float], from rate: Int, to target: Int) -> [Float] {
        guard rate != target, rate > 0, !samples.isEmpty else { return samples }
        let count = samples.count * target / rate
        var out = [Float](repeating: 0, count: count)
        let step = Double(rate) / Double(target)
        for index in 0..<count {
            let at = Double(index) * step
            let whole = min(Int(at), samples.count - 1)
            let next = min(whole + 1, samples.count - 1)
            let fraction = Float(at - Double(whole))
            out[index] = samples[whole] * (1 - fraction) + samples[next] * fraction
        }
        return out
    }
}
