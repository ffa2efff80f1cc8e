import Foundation
public import Media

/// The bundled default music bed, made in code rather than shipped as a file: an eight-second pad over
/// C, G, A minor and F (three soft sine partials a chord, slow swells, the right channel slightly detuned),
/// which the mixer loops under the voice. Used when the talent has no `bgm` asset and the pipeline names
/// `music: builtin`.
public enum MusicBed {
    /// The value of `ReelJob.music` (and of the `compose` stage's `music` option) meaning this bed.
    public static let builtin = "builtin:pad"

    /// The pad at `sampleRate`.
    public static func synthesize(sampleRate: Int) -> StereoAudio {
        // C4-E4-G4, G3-B3-D4, A3-C4-E4, F3-A3-C4 (Hz).
        let chords: [[Double]] = [[261.63, 329.63, 392.00], [196.00, 246.94, 293.66], [220.00, 261.63, 329.63], [174.61, 220.00, 261.63]]
        let chordSeconds = 2.0
        let perChord = Int(chordSeconds * Double(sampleRate))
        var left = [Float](repeating: 0, count: perChord * chords.count)
        var right = left
        for (index, chord) in chords.enumerated() {
            for sample in 0..<perChord {
                let time = Double(sample) / Double(sampleRate)
                // A swell: up over the first half second, down over the last half second.
                let envelope = min(1, time / 0.5) * min(1, (chordSeconds - time) / 0.5)
                var l = 0.0
                var r = 0.0
                for (partial, frequency) in chord.enumerated() {
                    let level = 0.12 / Double(partial + 1)
                    l += level * sin(2 * .pi * frequency * time)
                    r += level * sin(2 * .pi * frequency * 1.003 * time)
                }
                left[index * perChord + sample] = Float(l * envelope)
                right[index * perChord + sample] = Float(r * envelope)
            }
        }
        return StereoAudio(sampleRate: sampleRate, left: left, right: right)
    }
}
