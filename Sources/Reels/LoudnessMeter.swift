import Foundation
public import Media

/// Integrated loudness after ITU-R BS.1770-4 / EBU R 128: K-weighting, 400 ms blocks every 100 ms, an
/// absolute gate at −70 LUFS and a relative gate 10 LU below the ungated mean. The same measure as
/// ffmpeg's `ebur128` filter, computed in-process on the mix before encoding.
public enum LoudnessMeter {
    /// Integrated loudness in LUFS, or nil for silence (no block above the absolute gate).
    /// Coefficients are the standard's for 48 kHz; other rates are measured with the same filter, which
    /// is close enough for 44.1 kHz and not used elsewhere (composition mixes at 48 kHz).
    public static func integratedLoudness(_ audio: StereoAudio) -> Double? {
        let blockPowers = blocks(audio)
        let absolute = blockPowers.filter { loudness($0) > -70 }
        guard !absolute.isEmpty else { return nil }
        let relativeGate = loudness(absolute.reduce(0, +) / Double(absolute.count)) - 10
        let gated = absolute.filter { loudness($0) > relativeGate }
        guard !gated.isEmpty else { return nil }
        return loudness(gated.reduce(0, +) / Double(gated.count))
    }

    /// The highest absolute sample value, in dBFS (a lower bound of the true peak).
    public static func samplePeakDB(_ audio: StereoAudio) -> Double {
        var peak: Float = 0
        for index in 0..<audio.count { peak = max(peak, abs(audio.left[index]), abs(audio.right[index])) }
        return peak > 0 ? 20 * log10(Double(peak)) : -.infinity
    }

    static func loudness(_ power: Double) -> Double { -0.691 + 10 * log10(max(power, 1e-20)) }

    /// Mean-square power (both channels summed, weight 1) of each gating block.
    static func blocks(_ audio: StereoAudio) -> [Double] {
        let left = kWeighted(audio.left)
        let right = kWeighted(audio.right)
        let step = audio.sampleRate / 10
        let length = 4 * step
        guard audio.count >= length else {
            guard audio.count > 0 else { return [] }
            return [(sumSquares(left, 0, audio.count) + sumSquares(right, 0, audio.count)) / Double(audio.count)]
        }
        // Sum of squares per 100 ms step, then 4-step windows.
        let steps = audio.count / step
        var stepSums = [Double](repeating: 0, count: steps)
        for index in 0..<steps { stepSums[index] = sumSquares(left, index * step, step) + sumSquares(right, index * step, step) }
        var result: [Double] = []
        result.reserveCapacity(max(0, steps - 3))
        for start in 0..<max(0, steps - 3) {
            result.append((stepSums[start] + stepSums[start + 1] + stepSums[start + 2] + stepSums[start + 3]) / Double(length))
        }
        return result
    }

    private static func sumSquares(_ samples: [Double], _ start: Int, _ count: Int) -> Double {
        var sum = 0.0
        for index in start..<(start + count) { sum += samples[index] * samples[index] }
        return sum
    }

    /// The K-weighting pre-filter (high shelf) and RLB high-pass, as two biquads.
    static func kWeighted(_ samples: [Float]) -> [Double] {
        let shelf = Biquad(b: (1.53512485958697, -2.69169618940638, 1.19839281085285), a: (-1.69065929318241, 0.73248077421585))
        let highPass = Biquad(b: (1.0, -2.0, 1.0), a: (-1.99004745483398, 0.99007225036621))
        var first = shelf
        var second = highPass
        var out = [Double](repeating: 0, count: samples.count)
        for index in 0..<samples.count { out[index] = second.process(first.process(Double(samples[index]))) }
        return out
    }

    struct Biquad {
        let b: (Double, Double, Double)
        let a: (Double, Double)
        var z1 = 0.0, z2 = 0.0
        init(b: (Double, Double, Double), a: (Double, Double)) {
            self.b = b
            self.a = a
        }
        mutating func process(_ x: Double) -> Double {
            let y = b.0 * x + z1
            z1 = b.1 * x - a.0 * y + z2
            z2 = b.2 * x - a.1 * y
            return y
        }
    }
}
