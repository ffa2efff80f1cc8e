public import Foundation
public import Intake
public import Media

/// The isolated MIME check through the media worker: `media-worker mime-check --limits … FILE` parses
/// the message in a child under the worker's CPU, memory and time limits.
public struct ChildProcessMIMECheck: IsolatedMIMECheck {
    let worker: MediaWorkerClient

    public init(worker: MediaWorkerClient) {
        self.worker = worker
    }

    /// What the child answers when it finished: the parts it walked (0 when the message could not be read).
    public struct Answer: Codable, Sendable {
        public var parts: Int
        public init(parts: Int) { self.parts = parts }
    }

    public func check(rawMessage file: URL, limits: MIMELimits) async -> IsolatedMIMECheckVerdict {
        do {
            let limitsJSON = String(decoding: try JSONEncoder().encode(limits), as: UTF8.self)
            // A message takes milliseconds to parse: a minute means the parser is stuck on it.
            _ = try await worker.run(["mime-check", "--limits", limitsJSON, file.path], as: Answer.self, cpuSeconds: 60, wallSeconds: 60)
            return .survived
        } catch let error as MediaWorkerError where error.diedOnInput {
            return .crashed(error.description)
        } catch {
            return .unavailable(String(describing: error))
        }
    }
}
