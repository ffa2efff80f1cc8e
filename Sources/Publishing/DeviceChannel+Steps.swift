import Foundation

extension DeviceChannel {
    /// Runs the flow's steps on `session`: the receipt, or the failure of the first step that failed (with a
    /// screenshot taken before the session goes).
    func run(
        _ flow: DeviceFlow,
        _ post: PublishRequest,
        values: [String: String],
        on session: WebDriverSession
    ) async -> Result<PublishReceipt, PublishStepFailure> {
        var postID: String?
        var postURL: String?
        // Set just before the publishing click is sent: from then on the post may be out whatever comes back.
        var confirmed = false
        for (index, step) in flow.steps.enumerated() {
            let name = "\(index + 1): \(step)"
            let timeout = Duration.milliseconds(Int64((step.timeout ?? flow.stepTimeout) * 1000))
            do {
                switch step {
                case .open(let target):
                    try await session.navigate(to: DeviceFlow.fill(target, values))
                case .tap(let locator, _):
                    try await session.waitFor(locator, timeout: timeout, retrying: Self.notYetClickable) { element throws(WebDriverError) in
                        try await session.click(element)
                    }
                case .confirm(let locator, _):
                    try await session.waitFor(locator, timeout: timeout, retrying: Self.notYetClickable) { element throws(WebDriverError) in
                        confirmed = true
                        try await session.click(element)
                    }
                case .type(let locator, let template, _):
                    let text = DeviceFlow.fill(template, values)
                    try await session.waitFor(locator, timeout: timeout, retrying: Self.notYetTypeable) { element throws(WebDriverError) in
                        try await session.sendKeys(text, to: element)
                    }
                case .attach(let locator, _):
                    // chromedriver and Selenium take several files as paths separated by newlines.
                    let paths = post.media.joined(separator: "\n")
                    try await session.waitFor(locator, timeout: timeout, retrying: Self.notYetTypeable) { element throws(WebDriverError) in
                        try await session.sendKeys(paths, to: element)
                    }
                case .waitFor(let locator, _):
                    try await session.waitFor(locator, timeout: timeout) { _ throws(WebDriverError) in () }
                case .read(let locator, let field, _):
                    let text = try await session.waitFor(locator, timeout: timeout, retrying: [.staleElementReference]) {
                        element throws(WebDriverError) -> String? in
                        let text = try await session.text(of: element).trimmingCharacters(in: .whitespacesAndNewlines)
                        return text.isEmpty ? nil : text
                    }
                    switch field {
                    case .postID: postID = text
                    case .postURL: postURL = text
                    }
                }
            } catch {
                // The post is out and its id known: what the steps after that would add (its address) is not
                // worth reporting a published post as failed.
                if let postID { return .success(PublishReceipt(postID: postID, url: postURL)) }
                return .failure(await failure(error, step: name, session: session, flow: flow, post: post, confirmed: confirmed))
            }
        }
        guard let postID else {
            // `DeviceFlow.validate` requires a `read` into post_id, so this is a flow built by hand without one.
            let error = PublishError.failed(
                "the \(flow.platform) flow read no post id after publishing: check \(flow.platform) before publishing again"
            )
            return .failure(
                PublishStepFailure(error: error, step: "\(flow.steps.count): \(flow.steps.last.map { "\($0)" } ?? "")", screenshotPNG: nil)
            )
        }
        return .success(PublishReceipt(postID: postID, url: postURL))
    }

    /// A click that failed on these did not happen: trying again is safe.
    static let notYetClickable: Set<WebDriverError.Code> = [.staleElementReference, .elementNotInteractable, .elementClickIntercepted]
    /// Keys refused with these were not typed.
    static let notYetTypeable: Set<WebDriverError.Code> = [.staleElementReference, .elementNotInteractable]
}
