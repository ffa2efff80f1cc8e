/// What a reel's sound mix came to, for the stage's output and the checks.
public struct MixReport: Sendable, Codable, Equatable {
    /// Integrated loudness of the final mix (before AAC), LUFS; nil when it is silent.
    public var integratedLUFS: Double?
    /// Highest sample after limiting, dBFS.
    public var samplePeakDB: Double?
    /// Voice loudness and the music's level under it, when both are present.
    public var voiceLUFS: Double?
    public var musicGainDB: Double?

    public init(integratedLUFS: Double? = nil, samplePeakDB: Double? = nil, voiceLUFS: Double? = nil, musicGainDB: Double? = nil) {
        self.integratedLUFS = integratedLUFS
        self.samplePeakDB = samplePeakDB
        self.voiceLUFS = voiceLUFS
        self.musicGainDB = musicGainDB
    }
}
