public import Contracts
import Foundation
public import Media
public import Pipeline

/// Mixes a voice and a music bed into the reel's soundtrack: the music sits `musicLevelDB` under the voice and
/// drops a further `duckDB` while the voice speaks (a smooth gain envelope from the voice's level, with a
/// short attack and a slower release); the mix is then normalised to the template's integrated loudness and
/// held under its true-peak ceiling by a look-ahead limiter. Measured in-process (`LoudnessMeter`) instead
/// of libavfilter's `loudnorm`, whose two passes would cost more than the whole mix.
public enum AudioMixer {
    public static let sampleRate = 48_000

    public static func mix(voice: StereoAudio?, music: StereoAudio?, seconds: Double, template: ReelTemplate) -> (StereoAudio, MixReport) {
        let count = Int((seconds * Double(sampleRate)).rounded())
        var report = MixReport()
        var left = [Float](repeating: 0, count: count)
        var right = left
        var voiceLevel: Double?
        if let voice {
            let length = min(count, voice.count)
            for index in 0..<length {
                left[index] = voice.left[index]
                right[index] = voice.right[index]
            }
            voiceLevel = LoudnessMeter.integratedLoudness(voice)
            report.voiceLUFS = voiceLevel
        }
        if let music, music.count > 0 {
            let bed = looped(music, count: count)
            let musicLevel = LoudnessMeter.integratedLoudness(bed)
            var gainDB = 0.0
            if let musicLevel {
                gainDB = ((voiceLevel ?? template.loudness.integratedLUFS) + (voiceLevel == nil ? 0 : template.musicLevelDB)) - musicLevel
            }
            report.musicGainDB = gainDB
            let envelope = voice.map { duckingEnvelope(voice: $0, count: count, duckDB: template.duckDB) }
            let base = Float(pow(10, gainDB / 20))
            let fadeIn = sampleRate / 2
            let fadeOut = min(count / 2, 3 * sampleRate / 2)
            for index in 0..<count {
                var gain = base * (envelope?[index] ?? 1)
                if index < fadeIn { gain *= Float(index) / Float(fadeIn) }
                if index >= count - fadeOut { gain *= Float(count - index) / Float(fadeOut) }
                left[index] += bed.left[index] * gain
                right[index] += bed.right[index] * gain
            }
        }
        var mixed = StereoAudio(sampleRate: sampleRate, left: left, right: right)
        normalise(&mixed, template: template)
        report.integratedLUFS = LoudnessMeter.integratedLoudness(mixed)
        let peak = LoudnessMeter.samplePeakDB(mixed)
        report.samplePeakDB = peak.isFinite ? peak : nil
        return (mixed, report)
    }

    /// The music repeated (with a short crossfade at each seam) or cut to `count` samples.
    static func looped(_ music: StereoAudio, count: Int) -> StereoAudio {
        if music.count >= count {
            return StereoAudio(sampleRate: music.sampleRate, left: Array(music.left[0..<count]), right: Array(music.right[0..<count]))
        }
        var left = [Float]()
        var right = [Float]()
        left.reserveCapacity(count)
        right.reserveCapacity(count)
        let seam = min(music.count / 4, sampleRate / 20)
        while left.count < count {
            let start = left.count
            left.append(contentsOf: music.left)
            right.append(contentsOf: music.right)
            if start > 0, seam > 0 {
                for offset in 0..<seam {
                    let fade = Float(offset) / Float(seam)
                    left[start + offset] *= fade
                    right[start + offset] *= fade
                    left[start - seam + offset] *= 1 - fade
                    right[start - seam + offset] *= 1 - fade
                }
            }
        }
        return StereoAudio(sampleRate: music.sampleRate, left: Array(left[0..<count]), right: Array(right[0..<count]))
    }

    /// A per-sample gain (linear) for the music: `duckDB` while the voice is active (its 10 ms level within
    /// 30 dB of its loudest and above −50 dBFS, held 300 ms), 0 dB otherwise; attack 80 ms, release 400 ms.
    static func duckingEnvelope(voice: StereoAudio, count: Int, duckDB: Double) -> [Float] {
        let block = sampleRate / 100
        let blocks = (count + block - 1) / block
        var levels = [Double](repeating: -120, count: blocks)
        for index in 0..<blocks {
            let start = index * block
            let end = min(start + block, voice.count)
            guard start < end else { break }
            var sum = 0.0
            for sample in start..<end {
                let mono = Double(voice.left[sample] + voice.right[sample]) / 2
                sum += mono * mono
            }
            levels[index] = 10 * log10(max(sum / Double(end - start), 1e-12))
        }
        let threshold = max((levels.max() ?? -120) - 30, -50)
        var active = [Bool](repeating: false, count: blocks)
        var hold = 0
        for index in 0..<blocks {
            if levels[index] > threshold { hold = 30 }
            active[index] = hold > 0
            hold -= 1
        }
        var gainDB = 0.0
        let attack = 1 - exp(-1.0 / 8)
        let release = 1 - exp(-1.0 / 40)
        var blockGains = [Double](repeating: 0, count: blocks + 1)
        for index in 0..<blocks {
            let target = active[index] ? duckDB : 0
            gainDB += (target - gainDB) * (target < gainDB ? attack : release)
            blockGains[index + 1] = gainDB
        }
        var envelope = [Float](repeating: 1, count: count)
        for index in 0..<count {
            let position = Double(index) / Double(block)
            let lower = min(Int(position), blocks)
            let fraction = position - Double(lower)
            let db = blockGains[lower] + (blockGains[min(lower + 1, blocks)] - blockGains[lower]) * fraction
            envelope[index] = Float(pow(10, db / 20))
        }
        return envelope
    }

    /// Gain to the target loudness, then the limiter; repeated once because limiting lowers the loudness.
    static func normalise(_ audio: inout StereoAudio, template: ReelTemplate) {
        // Sample peaks stay 1 dB under the true-peak ceiling: inter-sample peaks and AAC add up to about that.
        let ceiling = Float(pow(10, (template.loudness.truePeakDB - 1) / 20))
        for _ in 0..<3 {
            guard let level = LoudnessMeter.integratedLoudness(audio) else { return }
            let correction = template.loudness.integratedLUFS - level
            if abs(correction) < 0.1 { break }
            let gain = Float(pow(10, correction / 20))
            for index in 0..<audio.count {
                audio.left[index] *= gain
                audio.right[index] *= gain
            }
            limit(&audio, ceiling: ceiling)
        }
    }

    /// A look-ahead peak limiter: the gain falls to what the loudest sample in the next 2 ms needs before that
    /// sample arrives, and recovers with a 100 ms time constant. No sample leaves above `ceiling`.
    static func limit(_ audio: inout StereoAudio, ceiling: Float) {
        let count = audio.count
        guard count > 0 else { return }
        let lookahead = sampleRate / 500
        var target = [Float](repeating: 1, count: count)
        var over: [Int] = []
        for index in 0..<count {
            let peak = max(abs(audio.left[index]), abs(audio.right[index]))
            if peak > ceiling {
                target[index] = ceiling / peak
                over.append(index)
            }
        }
        guard !over.isEmpty else { return }
        let needed = target
        for index in over {
            for earlier in max(0, index - lookahead)..<index where needed[index] < target[earlier] { target[earlier] = needed[index] }
        }
        let recovery = Float(1 - exp(-1.0 / (0.1 * Double(sampleRate))))
        var gain: Float = 1
        for index in 0..<count {
            gain = target[index] < gain ? target[index] : gain + (target[index] - gain) * recovery
            let applied = min(gain, needed[index])
            audio.left[index] *= applied
            audio.right[index] *= applied
        }
    }
}
