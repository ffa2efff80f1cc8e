public import Foundation
public import Isolation

/// Parses a stored message in a media-worker child, so a message that crashes or hangs the MIME library (GMime,
/// C) costs a child, not the daemon; the daemon uses the child's answer and never parses the message itself.
public struct IsolatedMIMEParser: Sendable {
    /// What became of the message in the child.
    public enum Verdict: Sendable, Equatable {
        /// The child finished: the email, or why GMime could not read it.
        case parsed(Result<ParsedEmail, MIMEReadFailure>)
        /// The child died or hung on the message: words for operators.
        case crashed(String)
        /// The child could not run at all (the daemon then parses under its own crash count).
        case unavailable(String)
    }

    let workers: IsolatedWorkers

    public init(workers: IsolatedWorkers) {
        self.workers = workers
    }

    public func parse(rawMessage file: URL, limits: MIMELimits) async -> Verdict {
        do {
            // A message takes milliseconds to parse: a minute means the parser is stuck on it.
            let answer = try await workers.run(MIMEParseTask.self, .init(path: file.path, limits: limits), cpuSeconds: 60, wallSeconds: 60)
            if let email = answer.email { return .parsed(.success(email)) }
            return .parsed(.failure(MIMEReadFailure(description: answer.error ?? "the message could not be read")))
        } catch let error as IsolationError where error.diedOnInput {
            return .crashed(error.description)
        } catch {
            return .unavailable(String(describing: error))
        }
    }
}

/// Why a message could not be read, as the parser said it.
public struct MIMEReadFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// `mime-parse`: the whole email as intake needs it, or GMime's reason for refusing it.
public enum MIMEParseTask: IsolatedTask {
    public struct Input: Codable, Sendable {
        public var path: String
        public var limits: MIMELimits
    }

    public struct Answer: Codable, Sendable {
        public var email: ParsedEmail?
        public var error: String?
    }

    public static let verb = "mime-parse"

    public static func perform(_ input: Input) throws -> Answer {
        let data = try Data(contentsOf: URL(filePath: input.path))
        do {
            return Answer(email: try MIMEParser.parse(data, limits: input.limits), error: nil)
        } catch {
            return Answer(email: nil, error: String(describing: error))
        }
    }
}
