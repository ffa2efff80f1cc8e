public import Contracts
public import Foundation
public import Isolation

/// The daemon's isolated workers, as the media stages call them.
public typealias MediaWorkerClient = IsolatedWorkers
/// Isolated media work failed, crashed, hung or could not be started.
public typealias MediaWorkerError = IsolationError

extension IsolatedWorkers {
    /// Probes a file in a worker child.
    public func probe(file: URL, limits: MediaLimits) async throws -> ProbeResult {
        try await run(ProbeTask.self, .init(path: file.path, limits: limits))
    }

    /// Finds the scenes of a video in a worker child.
    public func scenes(file: URL, options: SceneOptions) async throws -> SceneAnalysis {
        try await run(ScenesTask.self, .init(path: file.path, options: options))
    }

    /// Picks and writes the keyframes of a video's scenes in a worker child.
    public func keyframes(file: URL, options: KeyframeOptions) async throws -> [ExtractedKeyframe] {
        try await run(KeyframesTask.self, .init(path: file.path, options: options))
    }
}

/// A file and the limits it is read under: the input of most media tasks.
public struct MediaFileInput: Codable, Sendable {
    public var path: String
    public var limits: MediaLimits

    public init(path: String, limits: MediaLimits) {
        self.path = path
        self.limits = limits
    }
}

/// `probe`: container, streams and sizes.
public enum ProbeTask: IsolatedTask {
    public static let verb = "probe"
    public static func perform(_ input: MediaFileInput) throws -> ProbeResult {
        try MediaProber(limits: input.limits).probe(path: input.path)
    }
}

/// `scenes`: cuts and dissolves.
public enum ScenesTask: IsolatedTask {
    public struct Input: Codable, Sendable {
        public var path: String
        public var options: SceneOptions
    }
    public static let verb = "scenes"
    public static func perform(_ input: Input) throws -> SceneAnalysis { try input.options.analyze(path: input.path) }
}

/// `keyframes`: one sharp frame per scene, written as JPEGs.
public enum KeyframesTask: IsolatedTask {
    public struct Input: Codable, Sendable {
        public var path: String
        public var options: KeyframeOptions
    }
    public static let verb = "keyframes"
    public static func perform(_ input: Input) throws -> [ExtractedKeyframe] { try input.options.extract(path: input.path) }
}
