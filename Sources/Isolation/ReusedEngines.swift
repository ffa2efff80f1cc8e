import Foundation

/// Instances of an engine that is costly to load (pocketsphinx's model: 0.35 s; Tesseract's: 0.13 s), kept
/// for the next task of this process, so a warm media child loads its model once rather than once a task. An
/// instance serves one caller at a time; it is kept again only after work that succeeded, since an engine that
/// failed midway may be in any state (the next caller then loads a new one). The engine must hear each task
/// as a new instance would: its tests compare a reused instance with fresh ones.
///
/// ```swift
/// static let reused = ReusedEngines { try PocketSphinxRecognizer() }
/// let transcript = try PocketSphinxRecognizer.reused.use { try $0.recognize(audio) }
/// ```
public final class ReusedEngines<Engine: AnyObject>: @unchecked Sendable {
    private let make: @Sendable () throws -> Engine
    private let kept: Int
    private let lock = NSLock()
    private var idle: [Engine] = []

    /// - Parameters:
    ///   - kept: how many idle instances stay loaded (a child serves one task at a time: one).
    ///   - make: loads a new instance.
    public init(kept: Int = 1, make: @escaping @Sendable () throws -> Engine) {
        self.kept = kept
        self.make = make
    }

    /// Lends an idle instance, or a new one, to `work`.
    public func use<T>(_ work: (Engine) throws -> T) throws -> T {
        let engine = try lock.withLock { idle.popLast() } ?? make()
        let result = try work(engine)
        lock.withLock { if idle.count < kept { idle.append(engine) } }
        return result
    }

    /// Idle instances (for tests).
    var idleCount: Int { lock.withLock { idle.count } }
}
