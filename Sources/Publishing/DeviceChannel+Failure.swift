import Foundation

extension DeviceChannel {
    /// A failed step as the publisher sees it: the screenshot first (while the session lasts), then the error
    /// classified from the WebDriver error and the lines on screen that match the flow's patterns.
    ///
    /// Hard patterns win, from the message or the screen ("Your account has been restricted"); then an
    /// unreachable hub, or a session that could not be made or was lost, is soft; then the soft patterns; else
    /// the variant fails. After `confirm`, anything but hard cannot be reconciled: the post may be out, and the
    /// variant waits for an operator's check.
    func failure(
        _ error: any Error,
        step: String,
        session: WebDriverSession?,
        flow: DeviceFlow,
        post: PublishRequest,
        confirmed: Bool
    ) async -> PublishStepFailure {
        let webDriverError = error as? WebDriverError
        let reachable = webDriverError?.code != .transport && !(error is CancellationError)
        var screenshot: Data?
        var screenLines: [String] = []
        if let session, reachable {
            screenshot = try? await session.screenshot()
            screenLines = Self.lines(of: await Self.visibleText(session), apartFrom: post).filter { flow.match($0) != nil }
        }
        let cause = webDriverError.map { "\($0)" } ?? (error is CancellationError ? "cancelled" : "\(error)")
        // Steps are numbered ("5: confirm …"); the session's creation is not.
        var message = "\(flow.platform), \(step.first?.isNumber == true ? "step " : "")\(step): \(cause)"
        if !screenLines.isEmpty { message += "; the screen shows: " + screenLines.prefix(3).joined(separator: " / ") }
        let lost: Set<WebDriverError.Code> = [.transport, .sessionNotCreated, .invalidSessionID]
        let matches = ([webDriverError?.message ?? cause] + screenLines).compactMap(flow.match)
        let classified: PublishError =
            if matches.contains(where: { if case .hard = $0 { true } else { false } }) {
                .hard(message)
            } else if !reachable || webDriverError.map({ lost.contains($0.code) }) == true || !matches.isEmpty {
                .soft(message)
            } else {
                .failed(message)
            }
        guard confirmed else { return PublishStepFailure(error: classified, step: step, screenshotPNG: screenshot) }
        let note = " (after the publishing tap, so the post may be out: check \(flow.platform) before publishing again)"
        // Nobody knows whether the post went out, and the device offers no lookup: an operator checks before
        // anything is posted again (a hard block still pauses the account).
        let settled: PublishError = if case .hard = classified { .hard(message + note) } else { .cannotReconcile(message + note) }
        return PublishStepFailure(error: settled, step: step, screenshotPNG: screenshot)
    }

    /// The screen's text: the document's in a browser; on Appium, whose root element has no text, the `text`
    /// and `content-desc` attributes of the view hierarchy.
    static func visibleText(_ session: WebDriverSession) async -> String {
        if let root = try? await session.findElement(.xpath("/*")), let text = try? await session.text(of: root), !text.isEmpty {
            return text
        }
        guard let source = try? await session.source() else { return "" }
        var found: [String] = []
        for attribute in [" text=\"", " content-desc=\""] {
            var rest = source[...]
            while let start = rest.range(of: attribute) {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                found.append(
                    String(rest[..<end]).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
                        .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                        .replacingOccurrences(of: "&#10;", with: "\n").replacingOccurrences(of: "&amp;", with: "&")
                )
                rest = rest[end...]
            }
        }
        return found.joined(separator: "\n")
    }

    /// The non-empty lines of `text`, shortened, without those that are part of the post itself (a caption on
    /// screen that says "restricted" says nothing about the account).
    static func lines(of text: String, apartFrom post: PublishRequest) -> [String] {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !post.text.contains($0) }
            .map { $0.count > 200 ? String($0.prefix(200)) + "…" : $0 }
    }
}
