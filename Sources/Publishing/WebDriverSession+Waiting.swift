extension WebDriverSession {
    /// Finds `locator` and runs `action` on it, polling until it succeeds or `timeout` passes: a wait for a
    /// UI condition (a screen still loading, a button still animating in), like Selenium's `WebDriverWait`.
    ///
    /// Nothing matching (`no such element`) is always waited out; so are the codes in `retrying` thrown by
    /// `action`, and an `action` that answers nil (not ready yet, such as an empty label). Any other error is
    /// thrown at once.
    /// - Returns: what `action` answered.
    /// - Throws: the last `WebDriverError` when `timeout` passes, as `.noSuchElement` with a message saying
    ///   what did not appear; `CancellationError` when the task is cancelled.
    public func waitFor<T>(
        _ locator: Locator,
        timeout: Duration,
        poll: Duration = .milliseconds(500),
        retrying: Set<WebDriverError.Code> = [],
        _ action: (WebDriverElement) async throws(WebDriverError) -> T?
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last: WebDriverError?
        while true {
            do throws(WebDriverError) {
                let element = try await findElement(locator)
                if let answer = try await action(element) { return answer }
                last = nil
            } catch {
                guard error.code == .noSuchElement || retrying.contains(error.code) else { throw error }
                last = error
            }
            if clock.now >= deadline { break }
            try await Task.sleep(for: min(poll, deadline - clock.now))
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let waited = seconds.rounded() == seconds ? "\(Int(seconds))" : "\(seconds)"
        if let last, last.code != .noSuchElement { throw last }
        let what = last == nil ? "was not ready" : "did not appear"
        throw WebDriverError(code: .noSuchElement, message: "\(locator) \(what) within \(waited) s", command: "POST /session/{session}/element")
    }
}
